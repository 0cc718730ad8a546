import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import type { BrokerServices } from '../broker-services.ts';

export function listGroupsHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.ListGroups,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: { statesFilter?: string[]; typesFilter?: string[] }, context) {
      const result = await services.groupCoordinator.listGroups(request.statesFilter ?? []);
      const types = request.typesFilter ?? [];
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        // Every group here uses the classic protocol (KIP-848 groups are "consumer").
        groups: types.length > 0 && !types.map((t) => t.toLowerCase()).includes('classic')
          ? []
          // Kafka lists every group to DESCRIBE on the cluster, else only the groups one may describe.
          : result.groups.filter((group) => services.security.authorizer.authorize(context.connection.session, 'DESCRIBE', 'CLUSTER', CLUSTER_NAME, false) || services.security.authorizer.authorize(context.connection.session, 'DESCRIBE', 'GROUP', group.groupId, false)).map((group) => ({ groupId: group.groupId, protocolType: group.protocolType, groupState: group.groupState, groupType: 'classic' })),
      };
    },
  };
}
