import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import { endpointFor } from '../../security/listeners/listeners.ts';
import type { BrokerServices } from '../broker-services.ts';

const OPERATIONS_OMITTED = -2147483648;
const BROKER_ENDPOINTS = 1;

export function describeClusterHandler(services: BrokerServices): ApiHandler {
  const { metadata } = services;
  return {
    apiKey: ApiKey.DescribeCluster,
    minVersion: 0,
    maxVersion: 1,
    handle(request: { endpointType?: number }, context) {
      if (request.endpointType !== undefined && request.endpointType !== BROKER_ENDPOINTS) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'only broker endpoints (1) are served', endpointType: request.endpointType, clusterId: metadata.clusterId, controllerId: -1, brokers: [], clusterAuthorizedOperations: OPERATIONS_OMITTED };
      }
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        endpointType: BROKER_ENDPOINTS,
        clusterId: metadata.clusterId,
        controllerId: metadata.controllerId,
        brokers: metadata.brokers().map((broker) => ({ brokerId: broker.brokerId, ...endpointFor(broker, context.connection.session.listener.name), rack: broker.rack })),
        clusterAuthorizedOperations: OPERATIONS_OMITTED,
      };
    },
  };
}
