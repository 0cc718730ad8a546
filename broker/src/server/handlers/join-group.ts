import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { BrokerServices } from '../broker-services.ts';
import type { JoinGroupParams } from '../../group/group-coordinator.ts';

/** The wire request carries the same fields the coordinator takes, minus what the connection supplies. */
type JoinGroupRequest = Omit<JoinGroupParams, 'clientId' | 'clientHost' | 'requireKnownMemberId'>;

export function joinGroupHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.JoinGroup,
    minVersion: 0,
    maxVersion: 9,
    async handle(request: JoinGroupRequest, context) {
      if (!services.security.authorizer.authorize(context.connection.session, 'READ', 'GROUP', request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: request.memberId, members: [] };
      const result = await services.groupCoordinator.joinGroup({
        groupId: request.groupId,
        sessionTimeoutMs: request.sessionTimeoutMs,
        // v0 has no rebalance timeout; Kafka uses the session timeout for it.
        rebalanceTimeoutMs: context.apiVersion >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId ?? null,
        protocolType: request.protocolType,
        protocols: request.protocols,
        clientId: context.header.clientId ?? '',
        clientHost: `/${context.connection.remoteAddress}`,
        // v4+ clients understand MEMBER_ID_REQUIRED and rejoin with the id we hand them.
        requireKnownMemberId: context.apiVersion >= 4,
        reason: request.reason ?? null,
      });
      return { throttleTimeMs: 0, ...result };
    },
  };
}
