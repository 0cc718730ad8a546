import type { Logger } from '@tributary/common';
import { UNDEFINED_EPOCH } from '../log/leader-epoch-cache.ts';
import { ApiKey } from '../protocol/index.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { BrokerClient } from './broker-client.ts';
import { throttledFetchMaxBytes } from './byte-rate.ts';
import type { Partition } from './partition.ts';

const FETCH_VERSION = 11;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 3;

interface FetchState {
  partition: Partition;
  /** Set when this replica (re)starts following: the log may hold a tail the leader never had. */
  needsTruncation: boolean;
  throttled: boolean;
}

export interface FetcherOptions {
  brokerId: number;
  maxWaitMs: number;
  maxBytes: number;
  partitionMaxBytes: number;
  /** Bytes per second for partitions a reassignment is adding here (0: unthrottled). */
  throttleRate: () => number;
  /** Called after records or a new high watermark landed in a follower partition. */
  onProgress: (partition: Partition) => void;
  log: Logger;
}

const key = (partition: Partition) => `${partition.topic}-${partition.partition}`;

/**
 * Kafka's ReplicaFetcherThread: one loop per leader broker, fetching every partition this broker
 * follows from that leader with the Fetch API (replica_id = this broker), appending what arrives
 * with the leader's offsets and epochs. Before fetching a partition it asks the leader where its
 * own latest epoch ended (OffsetForLeaderEpoch) and truncates any divergent tail.
 */
export class ReplicaFetcher {
  private readonly partitions = new Map<string, FetchState>();
  private readonly client: BrokerClient;
  private running = true;
  private wake: (() => void) | null = null;
  private throttledUntil = 0;
  readonly done: Promise<void>;

  constructor(
    readonly leaderId: number,
    host: string,
    port: number,
    private readonly options: FetcherOptions,
  ) {
    this.client = new BrokerClient(host, port, `broker-${options.brokerId}-fetcher-${leaderId}`);
    this.done = this.run();
  }

  get size(): number {
    return this.partitions.size;
  }

  has(partition: Partition): boolean {
    return this.partitions.get(key(partition))?.partition === partition;
  }

  add(partition: Partition, throttled: boolean): void {
    this.partitions.set(key(partition), { partition, needsTruncation: true, throttled });
    this.wake?.();
  }

  setThrottled(partition: Partition, throttled: boolean): void {
    const state = this.partitions.get(key(partition));
    if (state) state.throttled = throttled;
  }

  remove(partition: Partition): void {
    if (this.partitions.get(key(partition))?.partition === partition) this.partitions.delete(key(partition));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.client.close();
    await this.done;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      if (this.partitions.size === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      try {
        await this.truncatePending();
        await this.fetchOnce();
        failures = 0;
      } catch (error) {
        if (!this.running) break;
        failures++;
        if (failures === 1 || failures % 20 === 0) this.options.log.warn({ err: error, leader: this.leaderId }, 'replica fetch failed; retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(1000, 100 * failures));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  private async truncatePending(): Promise<void> {
    const pending = [...this.partitions.values()].filter((state) => state.needsTruncation);
    if (pending.length === 0) return;
    const byTopic = new Map<string, FetchState[]>();
    for (const state of pending) byTopic.set(state.partition.topic, [...(byTopic.get(state.partition.topic) ?? []), state]);
    const response = await this.client.send(ApiKey.OffsetForLeaderEpoch, OFFSET_FOR_LEADER_EPOCH_VERSION, {
      replicaId: this.options.brokerId,
      topics: [...byTopic].map(([topic, states]) => ({
        topic,
        partitions: states.map(({ partition }) => ({ partition: partition.partition, currentLeaderEpoch: partition.leaderEpoch, leaderEpoch: partition.log.leaderEpochs.latestEpoch })),
      })),
    });
    for (const topic of response.topics as Array<{ topic: string; partitions: Array<{ partition: number; errorCode: number; leaderEpoch: number; endOffset: bigint }> }>) {
      for (const answer of topic.partitions) {
        const state = this.partitions.get(`${topic.topic}-${answer.partition}`);
        if (!state || !state.needsTruncation || answer.errorCode !== ErrorCode.NONE) continue;
        this.truncate(state.partition, answer.leaderEpoch, Number(answer.endOffset));
        state.needsTruncation = false;
      }
    }
  }

  /**
   * Truncates to where this replica and the leader agree: the leader's end offset for the latest
   * epoch both know, never past this replica's own end of that epoch.
   */
  private truncate(partition: Partition, leaderEpoch: number, leaderEndOffset: number): void {
    const log = partition.log;
    let target: number;
    if (leaderEpoch === UNDEFINED_EPOCH || leaderEndOffset < 0) {
      // The leader knows none of our epochs (or we have none): only the high watermark is safe.
      target = log.leaderEpochs.latestEpoch === UNDEFINED_EPOCH ? log.logEndOffset : log.highWatermark;
    } else {
      const own = log.endOffsetForEpoch(leaderEpoch);
      target = Math.min(leaderEndOffset, own.endOffset < 0 ? log.logEndOffset : own.endOffset);
    }
    if (target < log.logEndOffset) {
      this.options.log.info({ topic: partition.topic, partition: partition.partition, from: log.logEndOffset, to: target, leaderEpoch }, 'truncating divergent log tail');
      log.truncateTo(target);
    }
  }

  private async fetchOnce(): Promise<void> {
    const now = Date.now();
    const rate = this.options.throttleRate();
    const states = [...this.partitions.values()].filter((state) => !state.needsTruncation && !(rate > 0 && state.throttled && now < this.throttledUntil));
    if (states.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, Math.min(this.options.maxWaitMs, this.throttledUntil - now))));
      return;
    }
    const byTopic = new Map<string, FetchState[]>();
    for (const state of states) byTopic.set(state.partition.topic, [...(byTopic.get(state.partition.topic) ?? []), state]);
    const response = await this.client.send(
      ApiKey.Fetch,
      FETCH_VERSION,
      {
        replicaId: this.options.brokerId,
        maxWaitMs: this.options.maxWaitMs,
        minBytes: 1,
        maxBytes: this.options.maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...byTopic].map(([topic, list]) => ({
          topic,
          partitions: list.map(({ partition, throttled }) => ({
            partition: partition.partition,
            currentLeaderEpoch: partition.leaderEpoch,
            fetchOffset: BigInt(partition.log.logEndOffset),
            logStartOffset: BigInt(partition.log.logStartOffset),
            partitionMaxBytes: throttled ? throttledFetchMaxBytes(this.options.partitionMaxBytes, rate) : this.options.partitionMaxBytes,
          })),
        })),
        forgottenTopicsData: [],
        rackId: '',
      },
      this.options.maxWaitMs + 30_000,
    );
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`fetch from leader ${this.leaderId} failed with error ${response.errorCode}`);
    let throttledBytes = 0;
    for (const topic of response.responses as Array<{ topic: string; partitions: Array<{ partitionIndex: number; errorCode: number; highWatermark: bigint; records: Buffer | null }> }>) {
      for (const data of topic.partitions) {
        const state = this.partitions.get(`${topic.topic}-${data.partitionIndex}`);
        if (!state) continue;
        const { partition } = state;
        if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          state.needsTruncation = true;
          continue;
        }
        // Other errors (not leader, fenced epoch) clear up when the metadata reaches this broker.
        if (data.errorCode !== ErrorCode.NONE) continue;
        let progressed = false;
        if (data.records && data.records.length > 0) {
          try {
            partition.log.appendAsFollower(data.records);
          } catch (error) {
            this.options.log.warn({ err: error, topic: partition.topic, partition: partition.partition }, 'follower append failed; truncating and fetching again');
            state.needsTruncation = true;
            continue;
          }
          if (state.throttled) throttledBytes += data.records.length;
          progressed = true;
        }
        if (partition.updateFollowerHighWatermark(Number(data.highWatermark))) progressed = true;
        if (progressed) this.options.onProgress(partition);
      }
    }
    if (rate > 0 && throttledBytes > 0) this.throttledUntil = Math.max(Date.now(), this.throttledUntil) + (throttledBytes / rate) * 1000;
  }
}
