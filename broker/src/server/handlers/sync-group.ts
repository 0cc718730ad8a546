import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { BrokerServices } from '../broker-services.ts';
import type { SyncGroupParams } from '../../group/group-coordinator.ts';

type SyncGroupRequest = SyncGroupParams;

export function syncGroupHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.SyncGroup,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: SyncGroupRequest, context) {
      if (!services.security.authorizer.authorize(context.connection.session, 'READ', 'GROUP', request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
      const result = await services.groupCoordinator.syncGroup({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId ?? null,
        protocolType: request.protocolType ?? null,
        protocolName: request.protocolName ?? null,
        assignments: request.assignments,
      });
      return { throttleTimeMs: 0, ...result };
    },
  };
}
