import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

export function deleteGroupsHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.DeleteGroups,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: { groupsNames: string[] }) {
      const results = await services.groupCoordinator.deleteGroups(request.groupsNames);
      return { throttleTimeMs: 0, results };
    },
  };
}
