import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

/** Served by the active controller: a stopping broker asks it to move its leaders elsewhere first. */
export function controlledShutdownHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.ControlledShutdown,
    minVersion: 1,
    maxVersion: 3,
    async handle(request: { brokerId: number }, context) {
      if (!services.security.authorizer.authorize(context.connection.session, 'CLUSTER_ACTION', 'CLUSTER', CLUSTER_NAME)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, remainingPartitions: [] };
      const controller = services.controller;
      if (!controller?.isActive) return { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] };
      const remaining = await controller.controlledShutdown(request.brokerId);
      return { errorCode: ErrorCode.NONE, remainingPartitions: remaining.map(({ topic, partition }) => ({ topicName: topic, partitionIndex: partition })) };
    },
  };
}
