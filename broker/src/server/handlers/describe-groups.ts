import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { BrokerServices } from '../broker-services.ts';

const OPERATIONS_OMITTED = -2147483648;

export function describeGroupsHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.DescribeGroups,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: { groups: string[] }, context) {
      const groups = await services.groupCoordinator.describeGroups(request.groups);
      return {
        throttleTimeMs: 0,
        groups: groups.map((group) => !services.security.authorizer.authorize(context.connection.session, 'DESCRIBE', 'GROUP', group.groupId) ? { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId: group.groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: OPERATIONS_OMITTED } : ({
          errorCode: group.errorCode,
          groupId: group.groupId,
          groupState: group.groupState,
          protocolType: group.protocolType,
          protocolData: group.protocolData,
          members: group.members.map((member) => ({
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            clientId: member.clientId,
            clientHost: member.clientHost,
            memberMetadata: member.memberMetadata,
            memberAssignment: member.memberAssignment,
          })),
          authorizedOperations: OPERATIONS_OMITTED,
        })),
      };
    },
  };
}
