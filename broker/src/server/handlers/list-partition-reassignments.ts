import { ApiKey } from '../../protocol/index.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { PartitionState } from '../../metadata/types.ts';
import { CLUSTER_NAME } from '../../security/authorizer/acl-binding.ts';
import type { ApiHandler } from '../api-handler.ts';
import type { BrokerServices } from '../broker-services.ts';

interface ListPartitionReassignmentsRequest {
  timeoutMs: number;
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
}

const inProgress = (partition: PartitionState) => (partition.addingReplicas?.length ?? 0) > 0 || (partition.removingReplicas?.length ?? 0) > 0;

/**
 * Kafka's ListPartitionReassignments: the partitions a reassignment is still moving, with the
 * full replica set (old and new) and what is being added and removed. As in Kafka, partitions
 * that are not moving, and ones that do not exist, are left out.
 */
export function listPartitionReassignmentsHandler(services: BrokerServices): ApiHandler {
  const { metadata } = services;
  return {
    apiKey: ApiKey.ListPartitionReassignments,
    minVersion: 0,
    maxVersion: 0,
    handle(request: ListPartitionReassignmentsRequest, context) {
      if (!services.security.authorizer.authorize(context.connection.session, 'DESCRIBE', 'CLUSTER', CLUSTER_NAME)) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'DESCRIBE on the cluster is needed to list reassignments', topics: [] };
      }
      const wanted = request.topics === null
        ? metadata.topics().map((topic) => ({ topic, indexes: null as Set<number> | null }))
        : request.topics.flatMap((item) => {
            const topic = metadata.topic(item.name);
            return topic ? [{ topic, indexes: new Set(item.partitionIndexes) }] : [];
          });
      const topics = [];
      for (const { topic, indexes } of wanted) {
        const partitions = topic.partitions
          .filter((partition) => (indexes === null || indexes.has(partition.partition)) && inProgress(partition))
          .map((partition) => ({
            partitionIndex: partition.partition,
            replicas: partition.replicas,
            addingReplicas: partition.addingReplicas ?? [],
            removingReplicas: partition.removingReplicas ?? [],
          }));
        if (partitions.length > 0) topics.push({ name: topic.name, partitions });
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics };
    },
  };
}
