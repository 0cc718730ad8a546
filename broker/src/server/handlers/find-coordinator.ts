import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';
import type { SecuritySession } from '../../security/session.ts';
import { endpointFor } from '../../security/listeners/listeners.ts';

interface FindCoordinatorRequest {
  key: string;
  keyType: number;
  coordinatorKeys: string[];
}

const GROUP = 0;
const TRANSACTION = 1;

export function findCoordinatorHandler(services: BrokerServices): ApiHandler {
  const { metadata, groupCoordinatorFor, transactionCoordinatorFor } = services;

  const locate = async (key: string, keyType: number, session: SecuritySession) => {
    if (keyType !== GROUP && keyType !== TRANSACTION) {
      return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `unknown coordinator key type ${keyType}: use 0 (group) or 1 (transaction)` };
    }
    if (key === '') {
      return keyType === GROUP
        ? { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: 'group id must not be empty' }
        : { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'transactional id must not be empty' };
    }
    const [resource, operation] = keyType === GROUP ? (['GROUP', 'DESCRIBE'] as const) : (['TRANSACTIONAL_ID', 'DESCRIBE'] as const);
    if (!services.security.authorizer.authorize(session, operation, resource, key)) {
      const errorCode = keyType === GROUP ? ErrorCode.GROUP_AUTHORIZATION_FAILED : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: `not authorized to describe ${resource.toLowerCase()} ${key}` };
    }
    const brokerId = keyType === GROUP ? await groupCoordinatorFor(key) : await transactionCoordinatorFor(key);
    const broker = metadata.brokers().find((candidate) => candidate.brokerId === brokerId);
    if (!broker) return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: `coordinator broker ${brokerId} is not available` };
    return { key, nodeId: broker.brokerId, ...endpointFor(broker, session.listener.name), errorCode: ErrorCode.NONE, errorMessage: null };
  };

  return {
    apiKey: ApiKey.FindCoordinator,
    // librdkafka only looks for group coordinators when this range includes 0.
    minVersion: 0,
    maxVersion: 6,
    async handle(request: FindCoordinatorRequest, context) {
      if (context.apiVersion >= 4) {
        const coordinators = [];
        for (const key of request.coordinatorKeys) coordinators.push(await locate(key, request.keyType, context.connection.session));
        return { throttleTimeMs: 0, coordinators };
      }
      const found = await locate(request.key, request.keyType, context.connection.session);
      return { throttleTimeMs: 0, errorCode: found.errorCode, errorMessage: found.errorMessage, nodeId: found.nodeId, host: found.host, port: found.port };
    },
  };
}
