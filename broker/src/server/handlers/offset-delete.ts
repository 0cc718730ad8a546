import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { BrokerServices } from '../broker-services.ts';

interface OffsetDeleteRequest {
  groupId: string;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>;
}

export function offsetDeleteHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.OffsetDelete,
    minVersion: 0,
    maxVersion: 0,
    async handle(request: OffsetDeleteRequest, context) {
      if (!services.security.authorizer.authorize(context.connection.session, 'DELETE', 'GROUP', request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
      const result = await services.groupCoordinator.deleteOffsets({
        groupId: request.groupId,
        topics: request.topics.map((topic) => ({ name: topic.name, partitionIndexes: topic.partitions.map((p) => p.partitionIndex) })),
      });
      return { throttleTimeMs: 0, ...result };
    },
  };
}
