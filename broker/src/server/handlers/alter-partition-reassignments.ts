import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import type { MetadataStore } from '../../metadata/types.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; replicas: number[] | null }> }>;
}

type Move = { topic: string; partition: number; replicas: number[] | null };

/**
 * Checks one move the way the ZooKeeper store does, so a bad partition gets its own error code
 * instead of failing the whole request (the store rejects a batch on its first bad move).
 */
function validate(metadata: MetadataStore, move: Move, live: Set<number>): void {
  const partition = metadata.topic(move.topic)?.partitions.find((p) => p.partition === move.partition);
  if (!partition) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${move.topic}-${move.partition} does not exist`);
  if (move.replicas === null) {
    if ((partition.addingReplicas?.length ?? 0) === 0 && (partition.removingReplicas?.length ?? 0) === 0) {
      throw new KafkaError('NO_REASSIGNMENT_IN_PROGRESS', `no reassignment of ${move.topic}-${move.partition} is in progress; nothing to cancel`);
    }
    return;
  }
  if (move.replicas.length === 0 || new Set(move.replicas).size !== move.replicas.length) {
    throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `replicas of ${move.topic}-${move.partition} must be distinct and non-empty, got [${move.replicas.join(', ')}]`);
  }
  const unknown = move.replicas.filter((id) => !live.has(id));
  if (unknown.length > 0) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `brokers ${unknown.join(', ')} are not alive; start them or pick others`);
}

/**
 * Kafka's AlterPartitionReassignments: records the target replicas (adding_replicas /
 * removing_replicas) in the metadata store; the controller finishes each move once the new
 * replicas have caught up. Any broker may take it, since the store is shared through ZooKeeper.
 */
export function alterPartitionReassignmentsHandler(services: BrokerServices): ApiHandler {
  const { metadata } = services;
  return {
    apiKey: ApiKey.AlterPartitionReassignments,
    minVersion: 0,
    maxVersion: 0,
    async handle(request: AlterPartitionReassignmentsRequest, context) {
      if (!services.security.authorizer.authorize(context.connection.session, 'ALTER', 'CLUSTER', CLUSTER_NAME)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'ALTER on the cluster is needed to move partitions', responses: [] };
      }
      const live = new Set(metadata.brokers().map((broker) => broker.brokerId));
      const errors = new Map<string, KafkaError>();
      const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
      const valid: Move[] = [];
      for (const topic of request.topics) {
        for (const { partitionIndex, replicas } of topic.partitions) {
          const move = { topic: topic.name, partition: partitionIndex, replicas };
          try {
            if (errors.has(key(topic.name, partitionIndex)) || valid.some((m) => m.topic === topic.name && m.partition === partitionIndex)) {
              throw new KafkaError('INVALID_REQUEST', `${topic.name}-${partitionIndex} is listed more than once; give each partition once`);
            }
            validate(metadata, move, live);
            valid.push(move);
          } catch (error) {
            if (!(error instanceof KafkaError)) throw error;
            errors.set(key(topic.name, partitionIndex), error);
          }
        }
      }
      // One store call for all moves: the store writes each topic's assignment once, and separate
      // calls could overwrite each other before its cache sees the first write.
      if (valid.length > 0) {
        try {
          await metadata.reassignPartitions(valid);
        } catch (error) {
          if (!(error instanceof KafkaError)) throw error;
          for (const move of valid) errors.set(key(move.topic, move.partition), error);
        }
      }
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        responses: request.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map(({ partitionIndex }) => {
            const error = errors.get(key(topic.name, partitionIndex));
            return { partitionIndex, errorCode: error ? error.code : ErrorCode.NONE, errorMessage: error ? error.message : null };
          }),
        })),
      };
    },
  };
}
