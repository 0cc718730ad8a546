import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

export function listGroupsHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.ListGroups,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: { statesFilter?: string[]; typesFilter?: string[] }) {
      const result = await services.groupCoordinator.listGroups(request.statesFilter ?? []);
      const types = request.typesFilter ?? [];
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        // Every group here uses the classic protocol (KIP-848 groups are "consumer").
        groups: types.length > 0 && !types.map((t) => t.toLowerCase()).includes('classic')
          ? []
          : result.groups.map((group) => ({ groupId: group.groupId, protocolType: group.protocolType, groupState: group.groupState, groupType: 'classic' })),
      };
    },
  };
}
