import type { ConsoleSources } from './types.ts';

export interface ClusterOverview {
  brokerId: number;
  clusterId: string;
  controllerId: number;
  brokers: Array<{ brokerId: number; host: string; port: number; rack: string | null; isController: boolean; partitions: number; leaders: number }>;
  topics: number;
  internalTopics: number;
  partitions: number;
  underReplicatedPartitions: number;
  offlinePartitions: number;
  connections: number;
  startedAt: string;
  uptimeSeconds: number;
  now: string;
}

/** The cluster as this broker sees it: on a single node, itself as the only broker and the controller. */
export function clusterOverview(sources: ConsoleSources, startedAt: number): ClusterOverview {
  const { metadata } = sources;
  const topics = metadata.topics();
  const partitionStates = topics.flatMap((topic) => topic.partitions);
  const known = metadata.brokers();
  const brokers = known.length > 0 ? known : [{ brokerId: sources.brokerId, host: sources.host, port: sources.port, rack: null }];
  const now = Date.now();
  return {
    brokerId: sources.brokerId,
    clusterId: metadata.clusterId,
    controllerId: metadata.controllerId,
    brokers: brokers.map((broker) => ({
      ...broker,
      isController: broker.brokerId === metadata.controllerId,
      partitions: partitionStates.filter((p) => p.replicas.includes(broker.brokerId)).length,
      leaders: partitionStates.filter((p) => p.leader === broker.brokerId).length,
    })),
    topics: topics.filter((topic) => !topic.internal).length,
    internalTopics: topics.filter((topic) => topic.internal).length,
    partitions: partitionStates.length,
    underReplicatedPartitions: partitionStates.filter((p) => p.isr.length < p.replicas.length).length,
    offlinePartitions: partitionStates.filter((p) => p.leader < 0).length,
    connections: sources.connections(),
    startedAt: new Date(startedAt).toISOString(),
    uptimeSeconds: Math.floor((now - startedAt) / 1000),
    now: new Date(now).toISOString(),
  };
}
