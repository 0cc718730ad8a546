import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { compatibleError } from './transaction-errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';

interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: bigint;
  producerEpoch: number;
}

export function initProducerIdHandler(services: BrokerServices): ApiHandler {
  const { producerIds } = services;
  return {
    apiKey: ApiKey.InitProducerId,
    // librdkafka enables idempotence only when the range includes 0.
    minVersion: 0,
    maxVersion: 5,
    async handle(request: InitProducerIdRequest, context) {
      const session = context.connection.session;
      const { authorizer } = services.security;
      if (request.transactionalId !== null && request.transactionalId !== undefined) {
        if (!authorizer.authorize(session, 'WRITE', 'TRANSACTIONAL_ID', request.transactionalId)) {
          return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
        }
      } else if (!authorizer.authorize(session, 'IDEMPOTENT_WRITE', 'CLUSTER', CLUSTER_NAME, false) && !authorizer.authorizeAnyOfType(session, 'WRITE', 'TOPIC')) {
        // Kafka (KIP-679): IDEMPOTENT_WRITE on the cluster, or WRITE on any topic, allows an idempotent producer.
        return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
      }
      if (request.transactionalId !== null && request.transactionalId !== undefined) {
        // v3+ may name the producer to bump (KIP-360). @platformatic/kafka names 0/0 for "none"
        // here too; read literally it would be fenced by any other producer id, and taking it as
        // "none" changes nothing else: a plain InitProducerId bumps the epoch all the same.
        const named = context.apiVersion >= 3 && !(request.producerId === 0n && request.producerEpoch === 0);
        const result = await services.transactionCoordinator.initProducerId({
          transactionalId: request.transactionalId,
          transactionTimeoutMs: request.transactionTimeoutMs,
          producerId: named ? Number(request.producerId) : -1,
          producerEpoch: named ? request.producerEpoch : -1,
        });
        return { throttleTimeMs: 0, errorCode: compatibleError(result.errorCode, context.apiVersion), producerId: BigInt(result.producerId), producerEpoch: result.producerEpoch };
      }
      // Kafka's rule without a transactional id: always a fresh producer id at epoch 0, whatever
      // id and epoch the request carries. (Some clients, @platformatic/kafka among them, send
      // 0/0 rather than -1/-1 for "none yet"; reading that as an epoch bump of producer 0 would
      // hand every new producer the same id and collide with the sequences already on the log.)
      const producerId = await producerIds.generateProducerId();
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: BigInt(producerId), producerEpoch: 0 };
    },
  };
}
