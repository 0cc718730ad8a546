import type { Logger } from '@tributary/common';
import type { LogManager } from '../log/log-manager.ts';
import { logConfigFromKafkaProps, type LogConfig } from '../log/log-config.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type { TopicState } from '../metadata/types.ts';
import { effectiveTopicConfig } from '../metadata/topic-configs.ts';
import type { Purgatory } from '../server/purgatory.ts';
import type { AppendOrigin } from '../log/producer-state.ts';
import { Partition, type LeaderAppendResult } from './partition.ts';

export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export interface PartitionAppend {
  topic: string;
  partition: number;
  records: Buffer;
}

/** A partition's append result; on error the offsets are -1 and the message says why. */
export interface AppendOutcome extends LeaderAppendResult {
  errorCode: number;
  message: string | null;
}

const FAILED_APPEND: LeaderAppendResult = { firstOffset: -1, lastOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordCount: 0 };

export function failedAppend(errorCode: number, message: string): AppendOutcome {
  return { ...FAILED_APPEND, errorCode, message };
}

export interface AppendListener {
  (topic: string, partition: number, result: LeaderAppendResult): void;
}

/**
 * Owns the partitions hosted on this broker: opens their logs as metadata says they exist, routes
 * appends and reads, and wakes delayed fetches when data arrives. Kafka's ReplicaManager, minus
 * follower fetching which the cluster work adds.
 */
export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  private readonly appendListeners: AppendListener[] = [];

  constructor(
    private readonly logManager: LogManager,
    private readonly brokerId: number,
    private readonly brokerTopicDefaults: Record<string, string>,
    private readonly baseLogConfig: LogConfig,
    readonly fetchPurgatory: Purgatory,
    private readonly log: Logger,
  ) {}

  onAppend(listener: AppendListener): void {
    this.appendListeners.push(listener);
  }

  logConfigFor(topic: TopicState): LogConfig {
    return logConfigFromKafkaProps(effectiveTopicConfig(topic.configs, this.brokerTopicDefaults), this.baseLogConfig);
  }

  minInsyncReplicas(topic: TopicState): number {
    return Number(effectiveTopicConfig(topic.configs, this.brokerTopicDefaults)['min.insync.replicas']);
  }

  /** Opens (creating if needed) every partition of the topic that has a replica here. */
  hostTopic(topic: TopicState): void {
    const config = this.logConfigFor(topic);
    for (const state of topic.partitions) {
      if (!state.replicas.includes(this.brokerId)) continue;
      const key = partitionKey(topic.name, state.partition);
      const existing = this.partitions.get(key);
      if (existing) {
        existing.updateState(state);
        existing.log.updateConfig(config);
        continue;
      }
      const log = this.logManager.getLog(topic.name, state.partition) ?? this.logManager.createLog(topic.name, state.partition, config);
      log.updateConfig(config);
      this.partitions.set(key, new Partition(topic.name, topic.topicId, log, state, this.brokerId));
    }
  }

  stopHostingTopic(topic: TopicState): void {
    for (const state of topic.partitions) {
      const key = partitionKey(topic.name, state.partition);
      if (!this.partitions.delete(key)) continue;
      this.logManager.deleteLog(topic.name, state.partition);
      this.log.info({ topic: topic.name, partition: state.partition }, 'deleted partition log');
    }
  }

  partition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(partitionKey(topic, partition));
  }

  /** The partition if this broker leads it, else the error a client should see. */
  leaderPartition(topic: string, partition: number, knownTopic: boolean, currentLeaderEpoch = -1): Partition {
    const found = this.partition(topic, partition);
    if (!found) {
      throw new KafkaError(
        knownTopic ? 'NOT_LEADER_OR_FOLLOWER' : 'UNKNOWN_TOPIC_OR_PARTITION',
        `${topic}-${partition} is not hosted on broker ${this.brokerId}`,
      );
    }
    found.checkLeader(currentLeaderEpoch);
    return found;
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  /** Appends to each partition independently: one partition's bad batch fails only that partition. */
  appendRecords(appends: PartitionAppend[], requiredAcks: number, topicOf: (name: string) => TopicState | undefined, origin: AppendOrigin = 'client'): AppendOutcome[] {
    return appends.map((append) => {
      try {
        const topic = topicOf(append.topic);
        const partition = this.leaderPartition(append.topic, append.partition, topic !== undefined);
        const result = partition.appendRecordsToLeader(append.records, requiredAcks, topic ? this.minInsyncReplicas(topic) : 1, origin);
        for (const listener of this.appendListeners) listener(append.topic, append.partition, result);
        this.fetchPurgatory.checkAndComplete(partitionKey(append.topic, append.partition));
        return { errorCode: 0, message: null, ...result };
      } catch (error) {
        if (error instanceof KafkaError) return failedAppend(error.code, error.message);
        this.log.error({ err: error, topic: append.topic, partition: append.partition }, 'append failed');
        return failedAppend(ErrorCode.KAFKA_STORAGE_ERROR, (error as Error).message);
      }
    });
  }
}
