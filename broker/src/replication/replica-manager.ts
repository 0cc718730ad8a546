import type { Logger } from '@tributary/common';
import type { LogManager } from '../log/log-manager.ts';
import { logConfigFromKafkaProps, type LogConfig } from '../log/log-config.ts';
import { ErrorCode, KafkaError } from '../protocol/errors.ts';
import type { TopicState } from '../metadata/types.ts';
import { effectiveTopicConfig } from '../metadata/topic-configs.ts';
import type { Purgatory } from '../server/purgatory.ts';
import type { AppendOrigin } from '../log/producer-state.ts';
import { Partition, type LeaderAppendResult } from './partition.ts';
import { ReplicaFetcher } from './replica-fetcher.ts';
import { endpointFor } from '../security/listeners/listeners.ts';
import type { BrokerEndpoint, MetadataStore } from '../metadata/types.ts';

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

export interface ReplicationSettings {
  replicaLagTimeMaxMs: number;
  replicaFetchWaitMaxMs: number;
  replicaFetchMaxBytes: number;
  replicaFetchResponseMaxBytes: number;
  /** The listener brokers talk to each other on (inter.broker.listener.name). */
  interBrokerListener: string;
  /** follower.replication.throttled.rate as currently set (0: none). */
  throttleRate: () => number;
}

export interface ReplicationEvents {
  /** HW, ISR or leadership of a partition changed: delayed produces and fetches re-check. */
  onProgress(topic: string, partition: number): void;
  onLeadershipChange(partition: Partition, change: 'became-leader' | 'became-follower' | 'leader-changed' | 'removed'): void;
  onIsrChange(kind: 'shrink' | 'expand'): void;
}

/**
 * Owns the partitions hosted on this broker: opens their logs as metadata says they exist, routes
 * appends and reads, wakes delayed fetches when data arrives, and follows the metadata's leader
 * and ISR: leaders track their followers and change the ISR, followers fetch from their leaders.
 * Kafka's ReplicaManager.
 */
export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  private readonly appendListeners: AppendListener[] = [];
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private isrTimer: NodeJS.Timeout | null = null;
  private metadata: MetadataStore | null = null;
  private settings: ReplicationSettings | null = null;
  private events: ReplicationEvents | null = null;

  constructor(
    private readonly logManager: LogManager,
    private readonly brokerId: number,
    private readonly brokerTopicDefaults: Record<string, string>,
    private readonly baseLogConfig: LogConfig,
    readonly fetchPurgatory: Purgatory,
    private readonly log: Logger,
  ) {}

  /** Turns on replication: follower fetching, ISR shrink checks and ISR changes through the store. */
  startReplication(metadata: MetadataStore, settings: ReplicationSettings, events: ReplicationEvents): void {
    this.metadata = metadata;
    this.settings = settings;
    this.events = events;
    this.isrTimer = setInterval(() => this.maybeShrinkIsr(), Math.max(100, settings.replicaLagTimeMaxMs / 2));
    this.isrTimer.unref();
    for (const partition of this.partitions.values()) if (!partition.isLeader) this.follow(partition);
  }

  async stopReplication(): Promise<void> {
    if (this.isrTimer) clearInterval(this.isrTimer);
    this.isrTimer = null;
    // Metadata watches may still fire until the store closes; they must not start new fetchers.
    this.settings = null;
    const fetchers = [...this.fetchers.values()];
    this.fetchers.clear();
    await Promise.all(fetchers.map((fetcher) => fetcher.stop()));
  }

  onAppend(listener: AppendListener): void {
    this.appendListeners.push(listener);
  }

  logConfigFor(topic: TopicState): LogConfig {
    return logConfigFromKafkaProps(effectiveTopicConfig(topic.configs, this.brokerTopicDefaults), this.baseLogConfig);
  }

  minInsyncReplicas(topic: TopicState): number {
    return Number(effectiveTopicConfig(topic.configs, this.brokerTopicDefaults)['min.insync.replicas']);
  }

  /**
   * Opens (creating if needed) every partition of the topic that has a replica here, applies
   * leadership changes, and deletes replicas a reassignment moved away from this broker.
   */
  hostTopic(topic: TopicState): void {
    const config = this.logConfigFor(topic);
    for (const state of topic.partitions) {
      const key = partitionKey(topic.name, state.partition);
      const existing = this.partitions.get(key);
      if (!state.replicas.includes(this.brokerId)) {
        if (existing) this.removePartition(existing);
        continue;
      }
      if (existing) {
        existing.log.updateConfig(config);
        const change = existing.updateState(state);
        if (change !== 'none') this.onRoleChange(existing, change);
        else if (!existing.isLeader) this.fetcherFor(existing)?.setThrottled(existing, existing.isThrottledReplica(this.brokerId));
        this.events?.onProgress(topic.name, state.partition);
        continue;
      }
      const log = this.logManager.getLog(topic.name, state.partition) ?? this.logManager.createLog(topic.name, state.partition, config);
      log.updateConfig(config);
      const partition = new Partition(topic.name, topic.topicId, log, state, this.brokerId);
      this.partitions.set(key, partition);
      this.onRoleChange(partition, partition.isLeader ? 'became-leader' : 'leader-changed');
    }
  }

  private onRoleChange(partition: Partition, change: 'became-leader' | 'became-follower' | 'leader-changed'): void {
    if (change === 'became-leader') this.unfollow(partition);
    else this.follow(partition);
    this.log.info({ topic: partition.topic, partition: partition.partition, leader: partition.leaderId, leaderEpoch: partition.leaderEpoch, role: partition.isLeader ? 'leader' : 'follower' }, 'partition role');
    this.events?.onLeadershipChange(partition, change);
  }

  private removePartition(partition: Partition): void {
    this.unfollow(partition);
    this.partitions.delete(partitionKey(partition.topic, partition.partition));
    this.logManager.deleteLog(partition.topic, partition.partition);
    this.log.info({ topic: partition.topic, partition: partition.partition }, 'replica moved off this broker; deleted its log');
    this.events?.onLeadershipChange(partition, 'removed');
  }

  private fetcherFor(partition: Partition): ReplicaFetcher | undefined {
    for (const fetcher of this.fetchers.values()) if (fetcher.has(partition)) return fetcher;
    return undefined;
  }

  private unfollow(partition: Partition): void {
    this.fetcherFor(partition)?.remove(partition);
  }

  /** Starts fetching a follower partition from its current leader (once the leader's endpoint is known). */
  private follow(partition: Partition): void {
    this.unfollow(partition);
    if (!this.metadata || !this.settings || partition.leaderId < 0 || partition.isLeader) return;
    const leader = this.metadata.brokers().find((broker) => broker.brokerId === partition.leaderId);
    if (!leader) return;
    this.fetcherForLeader(leader).add(partition, partition.isThrottledReplica(this.brokerId));
  }

  private fetcherForLeader(leader: BrokerEndpoint): ReplicaFetcher {
    const existing = this.fetchers.get(leader.brokerId);
    if (existing) return existing;
    const settings = this.settings!;
    const address = endpointFor(leader, settings.interBrokerListener);
    const fetcher = new ReplicaFetcher(leader.brokerId, address.host, address.port, {
      brokerId: this.brokerId,
      maxWaitMs: settings.replicaFetchWaitMaxMs,
      maxBytes: settings.replicaFetchResponseMaxBytes,
      partitionMaxBytes: settings.replicaFetchMaxBytes,
      throttleRate: settings.throttleRate,
      onProgress: (partition) => this.events?.onProgress(partition.topic, partition.partition),
      log: this.log.child({ component: 'replica-fetcher', leader: leader.brokerId }),
    });
    this.fetchers.set(leader.brokerId, fetcher);
    return fetcher;
  }

  /** Live brokers changed: followers whose leader had no known endpoint may start fetching now. */
  refreshFollowers(): void {
    for (const partition of this.partitions.values()) {
      if (!partition.isLeader && partition.leaderId >= 0 && !this.fetcherFor(partition)) this.follow(partition);
    }
  }

  /**
   * The leader's side of a follower fetch: record the follower's position, advance the HW, and
   * bring the follower back into the ISR once it has caught up.
   */
  followerFetched(partition: Partition, replicaId: number, fetchOffset: number): void {
    if (partition.updateFollowerFetch(replicaId, fetchOffset)) this.events?.onProgress(partition.topic, partition.partition);
    if (partition.followerReadyToJoinIsr(replicaId)) this.changeIsr(partition, [...partition.isr, replicaId], 'expand');
  }

  private maybeShrinkIsr(): void {
    if (!this.settings) return;
    for (const partition of this.partitions.values()) {
      const lagging = partition.laggingFollowers(this.settings.replicaLagTimeMaxMs);
      if (lagging.length === 0) continue;
      this.log.warn({ topic: partition.topic, partition: partition.partition, lagging, maxLagMs: this.settings.replicaLagTimeMaxMs }, 'shrinking ISR: followers fell behind');
      this.changeIsr(partition, partition.isr.filter((id) => !lagging.includes(id)), 'shrink');
    }
  }

  private changeIsr(partition: Partition, isr: number[], kind: 'shrink' | 'expand'): void {
    if (!this.metadata || partition.isrChangeInFlight) return;
    partition.beginIsrChange(isr);
    const epoch = partition.leaderEpoch;
    this.metadata
      .alterIsr(partition.topic, partition.partition, isr, epoch)
      .catch((error) => {
        this.log.error({ err: error, topic: partition.topic, partition: partition.partition }, 'writing an ISR change failed');
        return false;
      })
      .then((written) => {
        const applies = written && partition.isLeader && partition.leaderEpoch === epoch;
        partition.completeIsrChange(applies);
        if (applies) {
          this.log.info({ topic: partition.topic, partition: partition.partition, isr }, kind === 'shrink' ? 'ISR shrunk' : 'ISR expanded');
          this.events?.onIsrChange(kind);
        }
        this.events?.onProgress(partition.topic, partition.partition);
      });
  }

  /**
   * Whether an acks=all append up to `lastOffset` is done: null while waiting for the ISR, else
   * the error code to answer with (0 when committed).
   */
  produceAckStatus(topic: string, partitionIndex: number, lastOffset: number, minInsyncReplicas: number): number | null {
    const partition = this.partition(topic, partitionIndex);
    if (!partition || !partition.isLeader) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (partition.highWatermark > lastOffset) return partition.isr.length < minInsyncReplicas ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : ErrorCode.NONE;
    if (partition.isr.length < minInsyncReplicas) return ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
    return null;
  }

  stopHostingTopic(topic: TopicState): void {
    for (const state of topic.partitions) {
      const key = partitionKey(topic.name, state.partition);
      const hosted = this.partitions.get(key);
      if (!hosted) continue;
      this.unfollow(hosted);
      this.partitions.delete(key);
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
