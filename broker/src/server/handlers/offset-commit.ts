import { ApiKey } from '../../protocol/index.ts';
import type { ApiHandler } from '../api-handler.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { BrokerServices } from '../broker-services.ts';

export type RequestTopics = Array<{
  name: string;
  partitions: Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch?: number; committedMetadata: string | null }>;
}>;

/** The committed offsets of an OffsetCommit or TxnOffsetCommit request, as the group coordinator takes them. */
export function commitTopics(topics: RequestTopics) {
  return topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((partition) => ({
      partitionIndex: partition.partitionIndex,
      committedOffset: Number(partition.committedOffset),
      committedLeaderEpoch: partition.committedLeaderEpoch ?? -1,
      committedMetadata: partition.committedMetadata ?? null,
    })),
  }));
}

interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: bigint;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string | null }>;
  }>;
}

export function offsetCommitHandler(services: BrokerServices): ApiHandler {
  return {
    apiKey: ApiKey.OffsetCommit,
    minVersion: 0,
    maxVersion: 9,
    async handle(request: OffsetCommitRequest, context) {
      const version = context.apiVersion;
      const { authorizer } = services.security;
      const session = context.connection.session;
      const failAll = (topics: OffsetCommitRequest['topics'], errorCode: number) => topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
      if (!authorizer.authorize(session, 'READ', 'GROUP', request.groupId)) return { throttleTimeMs: 0, topics: failAll(request.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
      // As Kafka: a commit also needs READ on each topic; the others are refused one by one.
      const deniedTopics = request.topics.filter((topic) => !authorizer.authorize(session, 'READ', 'TOPIC', topic.name));
      const result = await services.groupCoordinator.commitOffsets({
        groupId: request.groupId,
        // v0 commits come from simple consumers outside any generation.
        generationId: version >= 1 ? request.generationIdOrMemberEpoch : -1,
        memberId: version >= 1 ? request.memberId : '',
        groupInstanceId: request.groupInstanceId ?? null,
        retentionTimeMs: version >= 2 && version <= 4 ? Number(request.retentionTimeMs) : -1,
        topics: commitTopics(request.topics.filter((topic) => !deniedTopics.includes(topic))),
      });
      return { throttleTimeMs: 0, topics: [...result.topics, ...failAll(deniedTopics, ErrorCode.TOPIC_AUTHORIZATION_FAILED)] };
    },
  };
}
