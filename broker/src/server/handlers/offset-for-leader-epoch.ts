import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface OffsetForLeaderEpochRequest {
  replicaId?: number;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; currentLeaderEpoch: number; leaderEpoch: number }> }>;
}

/**
 * Where a leader epoch ended in the leader's log. Followers use it to truncate a divergent tail
 * after a leader change; consumers (KIP-320) use it to detect that the log they read was truncated.
 */
export function offsetForLeaderEpochHandler(services: BrokerServices): ApiHandler {
  const { replicaManager, metadata } = services;
  return {
    apiKey: ApiKey.OffsetForLeaderEpoch,
    minVersion: 2,
    maxVersion: 4,
    handle(request: OffsetForLeaderEpochRequest) {
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((topic) => ({
          topic: topic.topic,
          partitions: topic.partitions.map((wanted) => {
            try {
              const partition = replicaManager.leaderPartition(topic.topic, wanted.partition, metadata.topic(topic.topic) !== undefined, wanted.currentLeaderEpoch);
              const { epoch, endOffset } = partition.log.endOffsetForEpoch(wanted.leaderEpoch);
              return { errorCode: ErrorCode.NONE, partition: wanted.partition, leaderEpoch: epoch, endOffset: BigInt(endOffset) };
            } catch (error) {
              if (!(error instanceof KafkaError)) throw error;
              return { errorCode: error.code, partition: wanted.partition, leaderEpoch: -1, endOffset: -1n };
            }
          }),
        })),
      };
    },
  };
}
