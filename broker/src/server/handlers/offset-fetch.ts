import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { SecuritySession } from '../../security/session.ts';
import type { BrokerServices } from '../broker-services.ts';

interface TopicPartitions {
  name: string;
  partitionIndexes: number[];
}

interface OffsetFetchRequest {
  groupId: string;
  topics: TopicPartitions[] | null;
  groups: Array<{ groupId: string; memberId: string | null; memberEpoch: number; topics: TopicPartitions[] | null }>;
  requireStable: boolean;
}

export function offsetFetchHandler(services: BrokerServices): ApiHandler {
  const fetchGroup = async (groupId: string, topics: TopicPartitions[] | null, session: SecuritySession) => {
    if (!services.security.authorizer.authorize(session, 'DESCRIBE', 'GROUP', groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
    const result = await services.groupCoordinator.fetchOffsets({ groupId, topics });
    return {
      errorCode: result.errorCode,
      topics: result.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => ({
          partitionIndex: partition.partitionIndex,
          committedOffset: BigInt(partition.committedOffset),
          committedLeaderEpoch: partition.committedLeaderEpoch,
          metadata: partition.metadata,
          errorCode: partition.errorCode,
        })),
      })),
    };
  };
  return {
    apiKey: ApiKey.OffsetFetch,
    minVersion: 0,
    maxVersion: 9,
    async handle(request: OffsetFetchRequest, context) {
      if (context.apiVersion >= 8) {
        const groups = [];
        for (const group of request.groups) groups.push({ groupId: group.groupId, ...(await fetchGroup(group.groupId, group.topics, context.connection.session)) });
        return { throttleTimeMs: 0, groups };
      }
      // Before v2 a null topic list did not exist; an empty one still means "the listed ones".
      const single = await fetchGroup(request.groupId, request.topics, context.connection.session);
      return { throttleTimeMs: 0, topics: single.topics, errorCode: single.errorCode };
    },
  };
}
