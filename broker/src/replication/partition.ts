import type { PartitionLog } from '../log/partition-log.ts';
import type { AppendOrigin } from '../log/producer-state.ts';
import { KafkaError } from '../protocol/errors.ts';
import type { PartitionState } from '../metadata/types.ts';

export interface LeaderAppendResult {
  firstOffset: number;
  lastOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  recordCount: number;
}

/** How a follower stands with the leader (Kafka's Replica on the leader side). */
interface FollowerState {
  logEndOffset: number;
  lastCaughtUpTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

export type RoleChange = 'became-leader' | 'became-follower' | 'leader-changed' | 'none';

/**
 * One partition replica on this broker: its log plus, when leading, the followers' progress and
 * the ISR. The high watermark is the smallest log end offset in the ISR, so a record counts as
 * committed only once every in-sync replica has it.
 */
export class Partition {
  private state: PartitionState;
  private readonly followers = new Map<number, FollowerState>();
  /** The log end offset when this replica became leader: followers must reach it to join the ISR. */
  private leaderEpochStartOffset = 0;
  /**
   * An ISR change being written to the metadata store. Until it lands, the high watermark counts
   * both the old and the proposed members (Kafka's maximal ISR): otherwise the HW could pass a
   * joining follower's end while the store already names it in-sync, and the controller could
   * elect it leader without those records.
   */
  private pendingIsr: number[] | null = null;

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly log: PartitionLog,
    state: PartitionState,
    private readonly localBrokerId: number,
    private readonly now: () => number = Date.now,
  ) {
    this.state = state;
    if (this.isLeader) this.becomeLeader();
    this.maybeIncrementHighWatermark();
  }

  get partition(): number {
    return this.state.partition;
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  get leaderId(): number {
    return this.state.leader;
  }

  get isLeader(): boolean {
    return this.state.leader === this.localBrokerId;
  }

  get isr(): number[] {
    return this.state.isr;
  }

  get replicas(): number[] {
    return this.state.replicas;
  }

  get highWatermark(): number {
    return this.log.highWatermark;
  }

  get isUnderReplicated(): boolean {
    return this.isLeader && this.state.isr.length < this.state.replicas.filter((id) => !(this.state.addingReplicas ?? []).includes(id)).length;
  }

  /**
   * Whether the replication throttle slows a replica's copy of this partition, on the follower
   * (follower.replication.throttled.rate) and on the leader (leader.replication.throttled.rate):
   * a reassignment is adding it and it is not in sync yet. In-sync replicas are exempt, as in
   * Kafka, because acks=all produces wait for them.
   */
  isThrottledReplica(replicaId: number): boolean {
    return (this.state.addingReplicas ?? []).includes(replicaId) && this.state.replicas.includes(replicaId) && !this.state.isr.includes(replicaId);
  }

  /** Applies a new leader/ISR from the metadata and says how this replica's role changed. */
  updateState(state: PartitionState): RoleChange {
    const wasLeader = this.isLeader;
    const previous = this.state;
    this.state = state;
    let change: RoleChange = 'none';
    if (this.isLeader && (!wasLeader || previous.leaderEpoch !== state.leaderEpoch)) {
      this.becomeLeader();
      change = 'became-leader';
    } else if (!this.isLeader && (wasLeader || previous.leader !== state.leader || previous.leaderEpoch !== state.leaderEpoch)) {
      this.followers.clear();
      change = wasLeader ? 'became-follower' : 'leader-changed';
    }
    this.maybeIncrementHighWatermark();
    return change;
  }

  private becomeLeader(): void {
    this.log.leaderEpochs.assign(this.state.leaderEpoch, this.log.logEndOffset);
    this.leaderEpochStartOffset = this.log.logEndOffset;
    // ISR members get a full lag window to fetch from the new leader before they can be dropped.
    const now = this.now();
    this.followers.clear();
    for (const id of this.state.replicas) {
      if (id === this.localBrokerId) continue;
      this.followers.set(id, { logEndOffset: -1, lastCaughtUpTimeMs: this.state.isr.includes(id) ? now : 0, lastFetchLeaderLogEndOffset: -1, lastFetchTimeMs: now });
    }
  }

  /** Throws NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH the way Kafka's clients expect to see them. */
  checkLeader(currentLeaderEpoch: number = -1): void {
    if (!this.isLeader) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `broker ${this.localBrokerId} is not the leader of ${this.topic}-${this.partition}`);
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < this.state.leaderEpoch) {
      throw new KafkaError('FENCED_LEADER_EPOCH', `leader epoch ${currentLeaderEpoch} is older than ${this.state.leaderEpoch}`);
    }
    if (currentLeaderEpoch > this.state.leaderEpoch) {
      throw new KafkaError('UNKNOWN_LEADER_EPOCH', `leader epoch ${currentLeaderEpoch} is newer than ${this.state.leaderEpoch}`);
    }
  }

  appendRecordsToLeader(records: Buffer, requiredAcks: number, minInsyncReplicas: number, origin: AppendOrigin = 'client'): LeaderAppendResult {
    this.checkLeader();
    if (requiredAcks === -1 && this.state.isr.length < minInsyncReplicas) {
      throw new KafkaError('NOT_ENOUGH_REPLICAS', `ISR of ${this.topic}-${this.partition} has ${this.state.isr.length} replicas, min.insync.replicas is ${minInsyncReplicas}`);
    }
    const info = this.log.appendAsLeader(records, { leaderEpoch: this.state.leaderEpoch, origin });
    this.maybeIncrementHighWatermark();
    return info;
  }

  /**
   * A follower fetched from `fetchOffset`, which is its log end offset. It is caught up when it
   * asked for everything the leader had, or for everything the leader had at its previous fetch
   * (Kafka's rule, so a steady stream of appends does not make a healthy follower look behind).
   * Returns whether the high watermark moved.
   */
  updateFollowerFetch(replicaId: number, fetchOffset: number): boolean {
    const now = this.now();
    const leaderEnd = this.log.logEndOffset;
    const follower = this.followers.get(replicaId) ?? { logEndOffset: -1, lastCaughtUpTimeMs: 0, lastFetchLeaderLogEndOffset: -1, lastFetchTimeMs: now };
    if (fetchOffset >= leaderEnd) follower.lastCaughtUpTimeMs = now;
    else if (fetchOffset >= follower.lastFetchLeaderLogEndOffset && follower.lastFetchLeaderLogEndOffset >= 0) follower.lastCaughtUpTimeMs = follower.lastFetchTimeMs;
    follower.logEndOffset = fetchOffset;
    follower.lastFetchLeaderLogEndOffset = leaderEnd;
    follower.lastFetchTimeMs = now;
    this.followers.set(replicaId, follower);
    return this.maybeIncrementHighWatermark();
  }

  /** A replica outside the ISR that has everything up to the HW (and this epoch's start) may join. */
  followerReadyToJoinIsr(replicaId: number): boolean {
    const follower = this.followers.get(replicaId);
    if (!this.isLeader || !follower || this.state.isr.includes(replicaId) || !this.state.replicas.includes(replicaId)) return false;
    return follower.logEndOffset >= this.log.highWatermark && follower.logEndOffset >= this.leaderEpochStartOffset;
  }

  /** ISR members that have not caught up within `maxLagMs`. */
  laggingFollowers(maxLagMs: number): number[] {
    if (!this.isLeader) return [];
    const now = this.now();
    return this.state.isr.filter((id) => {
      if (id === this.localBrokerId) return false;
      const follower = this.followers.get(id);
      return !follower || now - follower.lastCaughtUpTimeMs > maxLagMs;
    });
  }

  get isrChangeInFlight(): boolean {
    return this.pendingIsr !== null;
  }

  beginIsrChange(isr: number[]): void {
    this.pendingIsr = isr;
  }

  /** Ends an ISR change; `written` says whether the store took it (else the store's state stands). */
  completeIsrChange(written: boolean): boolean {
    const isr = this.pendingIsr;
    this.pendingIsr = null;
    if (written && isr) this.state = { ...this.state, isr };
    return this.maybeIncrementHighWatermark();
  }

  maybeIncrementHighWatermark(): boolean {
    if (!this.isLeader) return false;
    let candidate = this.log.logEndOffset;
    const maximalIsr = this.pendingIsr ? new Set([...this.state.isr, ...this.pendingIsr]) : this.state.isr;
    for (const replica of maximalIsr) {
      if (replica === this.localBrokerId) continue;
      const end = this.followers.get(replica)?.logEndOffset ?? -1;
      candidate = Math.min(candidate, end < 0 ? this.log.highWatermark : end);
    }
    if (candidate > this.log.highWatermark) {
      this.log.highWatermark = candidate;
      return true;
    }
    return false;
  }

  /** Follower side: the leader's high watermark, bounded by what this replica has. */
  updateFollowerHighWatermark(leaderHighWatermark: number): boolean {
    const next = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (next === this.log.highWatermark) return false;
    this.log.highWatermark = next;
    return true;
  }
}
