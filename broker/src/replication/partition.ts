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

/**
 * One partition replica on this broker: its log plus the leader's view of the ISR. The high
 * watermark is the smallest log end offset in the ISR; on a single broker the ISR is this
 * replica alone, so HW follows LEO through the same computation followers will feed later.
 */
export class Partition {
  private state: PartitionState;
  private readonly replicaEndOffsets = new Map<number, number>();

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly log: PartitionLog,
    state: PartitionState,
    private readonly localBrokerId: number,
  ) {
    this.state = state;
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

  updateState(state: PartitionState): void {
    this.state = state;
    this.maybeIncrementHighWatermark();
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
    this.replicaEndOffsets.set(this.localBrokerId, this.log.logEndOffset);
    this.maybeIncrementHighWatermark();
    return info;
  }

  /** Records what a follower has fetched up to (its LEO) and advances the HW if it can. */
  updateFollowerEndOffset(replicaId: number, logEndOffset: number): boolean {
    this.replicaEndOffsets.set(replicaId, logEndOffset);
    return this.maybeIncrementHighWatermark();
  }

  maybeIncrementHighWatermark(): boolean {
    this.replicaEndOffsets.set(this.localBrokerId, this.log.logEndOffset);
    let candidate = this.log.logEndOffset;
    for (const replica of this.state.isr) {
      const end = this.replicaEndOffsets.get(replica);
      candidate = Math.min(candidate, end ?? this.log.highWatermark);
    }
    if (candidate > this.log.highWatermark) {
      this.log.highWatermark = candidate;
      return true;
    }
    return false;
  }
}
