import { ApiKey } from '../../protocol/index.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../consumer-offsets-store.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { mayWriteTransaction } from './transaction-acls.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import { compatibleError } from './transaction-errors.ts';

interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  groupId: string;
}

/** Adds the group's __consumer_offsets partition to the transaction, so its marker settles TxnOffsetCommit. */
export function addOffsetsToTxnHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.AddOffsetsToTxn,
    minVersion: 0,
    maxVersion: 3,
    async handle(request: AddOffsetsToTxnRequest, context) {
      const session = context.connection.session;
      if (!mayWriteTransaction(services, session, request.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
      if (!services.security.authorizer.authorize(session, 'READ', 'GROUP', request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
      // The offsets partition must exist before a marker can be written to it.
      await services.groupCoordinatorFor(request.groupId);
      const errorCode = await services.transactionCoordinator.addPartitions({
        transactionalId: request.transactionalId,
        producerId: Number(request.producerId),
        producerEpoch: request.producerEpoch,
        partitions: [{ topic: CONSUMER_OFFSETS_TOPIC, partition: services.groupCoordinator.partitionFor(request.groupId) }],
      });
      return { throttleTimeMs: 0, errorCode: compatibleError(errorCode, context.apiVersion, 2) };
    },
  };
}
