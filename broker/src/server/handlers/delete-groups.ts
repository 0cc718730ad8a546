import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { BrokerServices } from '../broker-services.ts';

export function deleteGroupsHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.DeleteGroups,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: { groupsNames: string[] }, context) {
      const allowed = request.groupsNames.filter((groupId) => services.security.authorizer.authorize(context.connection.session, 'DELETE', 'GROUP', groupId));
      const denied = request.groupsNames.filter((groupId) => !allowed.includes(groupId)).map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }));
      const results = [...(await services.groupCoordinator.deleteGroups(allowed)), ...denied];
      return { throttleTimeMs: 0, results };
    },
  };
}
