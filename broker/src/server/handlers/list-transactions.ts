import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: bigint[];
  durationFilter?: bigint;
}

export function listTransactionsHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.ListTransactions,
    minVersion: 0,
    maxVersion: 1,
    handle(request: ListTransactionsRequest, context) {
      const { unknownStates, txns } = services.transactionCoordinator.list({
        states: request.stateFilters,
        producerIds: request.producerIdFilters.map(Number),
        minDurationMs: context.apiVersion >= 1 ? Number(request.durationFilter ?? -1n) : -1,
      });
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        unknownStateFilters: unknownStates,
        transactionStates: txns.map((txn) => ({ transactionalId: txn.transactionalId, producerId: BigInt(txn.producerId), transactionState: txn.state })),
      };
    },
  };
}
