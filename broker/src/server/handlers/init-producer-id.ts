import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: bigint;
  producerEpoch: number;
}

const MAX_EPOCH = 32767;

export function initProducerIdHandler(services: BrokerServices): ApiHandler {
  const { producerIds } = services;
  return {
    apiKey: ApiKey.InitProducerId,
    // librdkafka enables idempotence only when the range includes 0.
    minVersion: 0,
    maxVersion: 5,
    async handle(request: InitProducerIdRequest) {
      if (request.transactionalId !== null && request.transactionalId !== undefined) {
        // Transactions need the transaction coordinator, which this broker does not have yet.
        return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, producerId: -1n, producerEpoch: -1 };
      }
      // KIP-360: an idempotent producer that lost its sequence state asks to bump its epoch.
      if (request.producerId >= 0n && request.producerEpoch >= 0 && request.producerEpoch < MAX_EPOCH) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: request.producerId, producerEpoch: request.producerEpoch + 1 };
      }
      const producerId = await producerIds.generateProducerId();
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: BigInt(producerId), producerEpoch: 0 };
    },
  };
}
