import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { mayWriteTransaction } from './transaction-acls.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import { compatibleError } from './transaction-errors.ts';

interface EndTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  committed: boolean;
}

export function endTxnHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.EndTxn,
    // v5 is KIP-890's epoch bump per transaction, which this coordinator does not do.
    minVersion: 0,
    maxVersion: 4,
    async handle(request: EndTxnRequest, context) {
      if (!mayWriteTransaction(services, context.connection.session, request.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
      const errorCode = await services.transactionCoordinator.endTransaction({
        transactionalId: request.transactionalId,
        producerId: Number(request.producerId),
        producerEpoch: request.producerEpoch,
        committed: request.committed,
      });
      return { throttleTimeMs: 0, errorCode: compatibleError(errorCode, context.apiVersion, 2) };
    },
  };
}
