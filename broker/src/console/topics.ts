import type { TopicState } from '../metadata/types.ts';
import type { ConsoleSources } from './types.ts';

export interface PartitionView {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  underReplicated: boolean;
  /** Null when the partition's log is not on this broker. */
  logStartOffset: number | null;
  logEndOffset: number | null;
  highWatermark: number | null;
  sizeBytes: number | null;
  segments: number | null;
}

export interface TopicSummary {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: number;
  replicationFactor: number;
  underReplicatedPartitions: number;
  messages: number;
  sizeBytes: number;
}

export interface TopicDetail extends TopicSummary {
  configs: Record<string, string>;
  partitionDetails: PartitionView[];
}

function partitionViews(sources: ConsoleSources, topic: TopicState): PartitionView[] {
  return [...topic.partitions]
    .sort((a, b) => a.partition - b.partition)
    .map((state) => {
      const hosted = sources.replicaManager.partition(topic.name, state.partition);
      const log = hosted?.log;
      return {
        partition: state.partition,
        leader: state.leader,
        leaderEpoch: state.leaderEpoch,
        replicas: state.replicas,
        isr: state.isr,
        underReplicated: state.isr.length < state.replicas.length,
        logStartOffset: log ? log.logStartOffset : null,
        logEndOffset: log ? log.logEndOffset : null,
        highWatermark: hosted ? hosted.highWatermark : null,
        sizeBytes: log ? log.size : null,
        segments: log ? log.segments.length : null,
      };
    });
}

function summary(topic: TopicState, partitions: PartitionView[]): TopicSummary {
  return {
    name: topic.name,
    topicId: topic.topicId,
    internal: topic.internal,
    partitions: partitions.length,
    replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
    underReplicatedPartitions: partitions.filter((p) => p.underReplicated).length,
    // Records between log start and end; compaction and transactions markers make it an upper bound.
    messages: partitions.reduce((sum, p) => sum + Math.max(0, (p.logEndOffset ?? 0) - (p.logStartOffset ?? 0)), 0),
    sizeBytes: partitions.reduce((sum, p) => sum + (p.sizeBytes ?? 0), 0),
  };
}

export function listTopics(sources: ConsoleSources): TopicSummary[] {
  return sources.metadata
    .topics()
    .map((topic) => summary(topic, partitionViews(sources, topic)))
    .sort((a, b) => Number(a.internal) - Number(b.internal) || a.name.localeCompare(b.name));
}

export function describeTopic(sources: ConsoleSources, name: string): TopicDetail | null {
  const topic = sources.metadata.topic(name);
  if (!topic) return null;
  const partitions = partitionViews(sources, topic);
  return { ...summary(topic, partitions), configs: { ...topic.configs }, partitionDetails: partitions };
}
