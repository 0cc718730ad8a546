import { metadataV12, ResponseError } from '@platformatic/kafka';
import { withBrokerConnection } from './raw-connection.ts';

export interface PartitionMetadata {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: Map<number, { host: string; port: number; rack: string | null }>;
  topics: Map<string, { internal: boolean; partitions: PartitionMetadata[] }>;
}

const UNKNOWN_TOPIC_OR_PARTITION = 3;

/**
 * Metadata as an operator needs it, offline partitions included. The Admin client treats a
 * partition's LEADER_NOT_AVAILABLE as stale metadata and retries until it gives up, which is
 * exactly when `cluster describe` must answer; here partition errors are data, and only
 * topic-level errors fail the call (a topic that does not exist is left out).
 */
export async function describeClusterMetadata(bootstrap: string, topics: string[] | null, clientId = 'tributary-cli'): Promise<ClusterMetadata> {
  const response = await withBrokerConnection(bootstrap, clientId, async (connection) => {
    try {
      return await metadataV12.api.async(connection, topics);
    } catch (error) {
      const partial = (error as { response?: unknown }).response;
      const onlyPartitionErrors = error instanceof ResponseError && (error.errors as Array<{ path?: string; apiCode?: number }>).every((e) => e.path?.includes('/partitions/') || e.apiCode === UNKNOWN_TOPIC_OR_PARTITION);
      if (onlyPartitionErrors && partial) return partial as Awaited<ReturnType<typeof metadataV12.api.async>>;
      throw error;
    }
  });
  return {
    clusterId: response.clusterId ?? null,
    controllerId: response.controllerId,
    brokers: new Map(response.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port, rack: b.rack ?? null }])),
    topics: new Map(
      response.topics
        .filter((t) => t.errorCode !== UNKNOWN_TOPIC_OR_PARTITION)
        .map((t) => [
          t.name!,
          {
            internal: t.isInternal,
            partitions: t.partitions
              .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes, offlineReplicas: p.offlineReplicas }))
              .sort((a, b) => a.partition - b.partition),
          },
        ]),
    ),
  };
}
