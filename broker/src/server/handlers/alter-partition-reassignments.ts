import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode, KafkaError } from '../../protocol/errors.ts';
import { checkReassignment, type PartitionMove } from '../../metadata/reassignment.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface AlterPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; replicas: number[] | null }> }>;
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
      const valid: PartitionMove[] = [];
      for (const topic of request.topics) {
        for (const { partitionIndex, replicas } of topic.partitions) {
          const move = { topic: topic.name, partition: partitionIndex, replicas };
          try {
            if (errors.has(key(topic.name, partitionIndex)) || valid.some((m) => m.topic === topic.name && m.partition === partitionIndex)) {
              throw new KafkaError('INVALID_REQUEST', `${topic.name}-${partitionIndex} is listed more than once; give each partition once`);
            }
            // Checked one by one, so a bad partition gets its own error code instead of failing the batch.
            checkReassignment(metadata.topic(topic.name)?.partitions.find((p) => p.partition === partitionIndex), move, live);
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
