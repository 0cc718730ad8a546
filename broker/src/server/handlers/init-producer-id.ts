import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
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
      // Kafka (KIP-679): IDEMPOTENT_WRITE on the cluster, or WRITE on any topic, allows an idempotent producer.
      if (!services.security.authorizer.authorize(context.connection.session, 'IDEMPOTENT_WRITE', 'CLUSTER', CLUSTER_NAME, false) && !services.security.authorizer.authorizeAnyOfType(context.connection.session, 'WRITE', 'TOPIC')) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
      if (request.transactionalId !== null && request.transactionalId !== undefined) {
        // Transactions need the transaction coordinator, which this broker does not have yet.
        return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, producerId: -1n, producerEpoch: -1 };
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
