import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

export function describeTransactionsHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.DescribeTransactions,
    minVersion: 0,
    maxVersion: 0,
    handle(request: { transactionalIds: string[] }) {
      return {
        throttleTimeMs: 0,
        transactionStates: services.transactionCoordinator.describe(request.transactionalIds).map(({ errorCode, transactionalId, txn }) => {
          const byTopic = new Map<string, number[]>();
          for (const { topic, partition } of txn?.partitions ?? []) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
          return {
            errorCode,
            transactionalId,
            transactionState: txn?.state ?? '',
            transactionTimeoutMs: txn?.timeoutMs ?? 0,
            transactionStartTimeMs: BigInt(txn?.startTimestamp ?? -1),
            producerId: BigInt(txn?.producerId ?? -1),
            producerEpoch: txn?.producerEpoch ?? -1,
            topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
          };
        }),
      };
    },
  };
}
