import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { BrokerServices } from '../broker-services.ts';

interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; reason?: string | null }>;
}

export function leaveGroupHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.LeaveGroup,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: LeaveGroupRequest, context) {
      if (!services.security.authorizer.authorize(context.connection.session, 'READ', 'GROUP', request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
      // v0-2 name one member; v3+ (KIP-345) a batch.
      const members = context.apiVersion >= 3 ? request.members : [{ memberId: request.memberId, groupInstanceId: null }];
      const result = await services.groupCoordinator.leaveGroup({
        groupId: request.groupId,
        members: members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId ?? null, reason: member.reason ?? null })),
      });
      if (context.apiVersion < 3) {
        const single = result.members[0];
        return { throttleTimeMs: 0, errorCode: result.errorCode !== 0 ? result.errorCode : (single?.errorCode ?? 0), members: [] };
      }
      return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    },
  };
}
