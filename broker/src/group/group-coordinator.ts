import { randomUUID } from 'node:crypto';
import type { Logger } from '@tributary/common';
import { ErrorCode } from '../protocol/errors.ts';
import { GroupMetadata, type GroupState, type JoinResult, type MemberMetadata, type OffsetEntry, type SyncResult } from './group-metadata.ts';
import { partitionForGroup } from './group-partition.ts';
import type { GroupStore } from './group-store.ts';
import { PendingTxnOffsets } from './pending-txn-offsets.ts';
import type { TransactionResult } from '../log/control-record.ts';
import { decodeGroupValue, decodeKey, decodeOffsetValue, encodeGroupKey, encodeGroupValue, encodeOffsetKey, encodeOffsetValue, type GroupMetadataValue } from './offsets-records.ts';
import { realScheduler, type Scheduler } from './scheduler.ts';

export interface GroupCoordinatorConfig {
  /** offsets.topic.num.partitions */
  numPartitions: number;
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number;
  /** group.max.size */
  groupMaxSize: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
}

export const DEFAULT_GROUP_CONFIG: GroupCoordinatorConfig = {
  numPartitions: 50,
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  groupMaxSize: 2_147_483_647,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
};

/**
 * Kafka's GroupCoordinator.NewMemberJoinTimeoutMs: a new member's JoinGroup is not held longer,
 * so clients that gave up on a long rebalance do not pile up as defunct members.
 */
const NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;

export interface JoinGroupParams {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  clientId: string;
  clientHost: string;
  requireKnownMemberId: boolean;
  reason?: string | null;
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface HeartbeatParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupParams {
  groupId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; reason?: string | null }>;
}

export interface LeaveGroupResult {
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

export interface CommitParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }> }>;
}

export interface TxnCommitParams {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: CommitParams['topics'];
}

export interface CommitResult {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}

export interface FetchOffsetsParams {
  groupId: string;
  /** null asks for every committed partition of the group. */
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
}

export interface FetchOffsetsResult {
  errorCode: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string; errorCode: number }> }>;
}

export interface DeleteOffsetsParams {
  groupId: string;
  topics: Array<{ name: string; partitionIndexes: number[] }>;
}

export interface DeleteOffsetsResult {
  errorCode: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: GroupState;
  protocolType: string;
  /** The chosen protocol, only while Stable (Kafka reports "" otherwise). */
  protocolData: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }>;
}

export interface ListGroupsResult {
  errorCode: number;
  groups: Array<{ groupId: string; protocolType: string; groupState: GroupState }>;
}

type PartitionState = 'loading' | 'loaded';

/** Which request asks: Kafka lets the offset and admin APIs use the empty group id, not the membership ones. */
type GroupApi = 'membership' | 'offsets' | 'admin';

function joinError(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, skipAssignment: false, members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

function sameProtocols(a: Array<{ name: string; metadata: Buffer }>, b: Array<{ name: string; metadata: Buffer }>): boolean {
  return a.length === b.length && a.every((protocol, i) => protocol.name === b[i]!.name && protocol.metadata.equals(b[i]!.metadata));
}

function sameErrorForAll(topics: CommitParams['topics'], errorCode: number): CommitResult {
  return { topics: topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) };
}

/**
 * Kafka's classic group coordinator: the JoinGroup / SyncGroup rebalance protocol with
 * MEMBER_ID_REQUIRED, static membership, session, rebalance and sync timeouts, and committed
 * offsets written to the group's __consumer_offsets partition before they are acknowledged.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly partitions = new Map<number, PartitionState>();
  private readonly pendingTxnOffsets = new PendingTxnOffsets();
  /** Markers that reached a partition while it was loading; applied once the replay is done. */
  private readonly markersDuringLoad = new Map<number, Array<{ producerId: number; result: TransactionResult }>>();
  private readonly config: GroupCoordinatorConfig;
  private expiryTimer: (() => void) | null = null;

  constructor(
    private readonly store: GroupStore,
    config: Partial<GroupCoordinatorConfig> = {},
    private readonly log: Logger | null = null,
    private readonly scheduler: Scheduler = realScheduler,
  ) {
    this.config = { ...DEFAULT_GROUP_CONFIG, ...config };
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.config.numPartitions);
  }

  /** Why this coordinator cannot serve the group now, or null when it can. */
  private unavailable(groupId: string, api: GroupApi): number | null {
    if (groupId === '' && api === 'membership') return ErrorCode.INVALID_GROUP_ID;
    const state = this.partitions.get(this.partitionFor(groupId));
    if (state === undefined) return ErrorCode.NOT_COORDINATOR;
    if (state === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  private now(): number {
    return this.scheduler.now();
  }

  // ---- partition ownership -------------------------------------------------------------

  /**
   * Becomes coordinator for a __consumer_offsets partition by replaying it: the last record per
   * key wins, null values delete. As in Kafka, a group with stored members comes back Stable with
   * those members and fresh session timers: consumers that keep heartbeating carry on without a
   * rebalance, the others expire and trigger one.
   */
  async loadPartition(partition: number): Promise<void> {
    this.partitions.set(partition, 'loading');
    const offsets = new Map<string, Map<string, OffsetEntry>>();
    const stored = new Map<string, GroupMetadataValue | null>();
    const inPartition = (groupId: string) => this.partitionFor(groupId) === partition;
    this.pendingTxnOffsets.dropGroups(inPartition);
    try {
      for await (const record of this.store.load(partition)) {
        if (record.marker) {
          const settled = this.pendingTxnOffsets.take(record.producerId!, inPartition);
          if (record.marker === 'commit') {
            for (const [groupId, entries] of settled) {
              const byKey = offsets.get(groupId) ?? new Map<string, OffsetEntry>();
              offsets.set(groupId, byKey);
              for (const [offsetKey, entry] of entries) byKey.set(offsetKey, entry);
            }
          }
          continue;
        }
        const key = decodeKey(record.key);
        if (key.type === 'offset' && record.producerId !== undefined && record.value !== null) {
          this.pendingTxnOffsets.add(record.producerId, key.group, GroupMetadata.offsetKey(key.topic, key.partition), decodeOffsetValue(record.value));
        } else if (key.type === 'offset') {
          const byKey = offsets.get(key.group) ?? new Map<string, OffsetEntry>();
          offsets.set(key.group, byKey);
          if (record.value === null) byKey.delete(GroupMetadata.offsetKey(key.topic, key.partition));
          else byKey.set(GroupMetadata.offsetKey(key.topic, key.partition), decodeOffsetValue(record.value));
        } else {
          stored.set(key.group, record.value === null ? null : decodeGroupValue(record.value));
        }
      }
    } catch (error) {
      this.partitions.delete(partition);
      this.markersDuringLoad.delete(partition);
      throw error;
    }
    if (this.partitions.get(partition) !== 'loading') return;
    const now = this.now();
    const groupIds = new Set([...stored.keys(), ...[...offsets].filter(([, byKey]) => byKey.size > 0).map(([id]) => id)]);
    for (const groupId of groupIds) {
      const value = stored.get(groupId) ?? null;
      const groupOffsets = offsets.get(groupId);
      if (value === null && (groupOffsets?.size ?? 0) === 0) continue;
      const group = new GroupMetadata(groupId, now);
      for (const [key, entry] of groupOffsets ?? []) group.offsets.set(key, entry);
      if (value) this.restoreGroup(group, value);
      const replaced = this.groups.get(groupId);
      if (replaced) this.cancelTimers(replaced);
      this.groups.set(groupId, group);
      for (const member of group.members.values()) this.scheduleSessionExpiry(group, member);
    }
    this.partitions.set(partition, 'loaded');
    for (const { producerId, result } of this.markersDuringLoad.get(partition) ?? []) this.completeTransaction(partition, producerId, result);
    this.markersDuringLoad.delete(partition);
    this.log?.info({ partition, groups: groupIds.size }, 'loaded group coordinator partition');
  }

  private restoreGroup(group: GroupMetadata, value: GroupMetadataValue): void {
    group.generationId = value.generation;
    group.protocolType = value.protocolType === '' ? null : value.protocolType;
    group.protocolName = value.protocol;
    group.leaderId = value.leader;
    for (const stored of value.members) {
      group.members.set(stored.memberId, {
        memberId: stored.memberId,
        groupInstanceId: stored.groupInstanceId,
        clientId: stored.clientId,
        clientHost: stored.clientHost,
        sessionTimeoutMs: stored.sessionTimeoutMs,
        rebalanceTimeoutMs: stored.rebalanceTimeoutMs,
        protocolType: value.protocolType,
        protocols: [{ name: value.protocol ?? '', metadata: stored.subscription }],
        assignment: stored.assignment,
        isNew: false,
        awaitingJoin: null,
        awaitingSync: null,
        sessionTimer: null,
      });
      if (stored.groupInstanceId) group.staticMembers.set(stored.groupInstanceId, stored.memberId);
    }
    const timestamp = value.currentStateTimestamp >= 0 ? value.currentStateTimestamp : group.currentStateTimestamp;
    group.transition(group.members.size > 0 ? 'Stable' : 'Empty', timestamp);
    group.subscribedTopics = group.computeSubscribedTopics();
  }

  /** Leadership of the partition moved away: forget its groups (their members will find the new coordinator). */
  unloadPartition(partition: number): void {
    this.partitions.delete(partition);
    this.markersDuringLoad.delete(partition);
    this.pendingTxnOffsets.dropGroups((groupId) => this.partitionFor(groupId) === partition);
    for (const [groupId, group] of this.groups) {
      if (this.partitionFor(groupId) !== partition) continue;
      for (const member of group.members.values()) {
        member.awaitingJoin?.(joinError(ErrorCode.NOT_COORDINATOR, member.memberId));
        member.awaitingSync?.(syncError(ErrorCode.NOT_COORDINATOR));
      }
      this.cancelTimers(group);
      group.transition('Dead', this.now());
      this.groups.delete(groupId);
    }
  }

  ownsPartition(partition: number): boolean {
    return this.partitions.get(partition) === 'loaded';
  }

  // ---- JoinGroup -------------------------------------------------------------------------

  async joinGroup(params: JoinGroupParams): Promise<JoinResult> {
    const unavailable = this.unavailable(params.groupId, 'membership');
    if (unavailable !== null) return joinError(unavailable, params.memberId);
    if (params.sessionTimeoutMs < this.config.minSessionTimeoutMs || params.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, params.memberId);
    }
    const unknownMember = params.memberId === '';
    let group = this.groups.get(params.groupId);
    if (!group) {
      if (!unknownMember) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, params.memberId);
      group = new GroupMetadata(params.groupId, this.now());
      this.groups.set(params.groupId, group);
    }
    if (group.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, params.memberId);
    if (!this.acceptsJoiningMember(group, params)) return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, params.memberId);
    if (!group.supportsProtocols(params.protocolType, params.protocols)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, params.memberId);
    if (params.reason) this.log?.info({ group: group.groupId, member: params.memberId, reason: params.reason }, 'member joining');
    return unknownMember ? this.joinNewMember(group, params) : this.joinCurrentMember(group, params);
  }

  /** group.max.size: members already in the group (or re-joining as a static instance) are always let back in. */
  private acceptsJoiningMember(group: GroupMetadata, params: JoinGroupParams): boolean {
    if (group.members.has(params.memberId)) return true;
    if (params.groupInstanceId !== null && group.staticMembers.has(params.groupInstanceId)) return true;
    return group.members.size < this.config.groupMaxSize;
  }

  private joinNewMember(group: GroupMetadata, params: JoinGroupParams): Promise<JoinResult> | JoinResult {
    const memberId = `${params.groupInstanceId ?? params.clientId}-${randomUUID()}`;
    if (params.groupInstanceId !== null) {
      const oldMemberId = group.staticMembers.get(params.groupInstanceId);
      const old = oldMemberId === undefined ? undefined : group.members.get(oldMemberId);
      if (old) return this.replaceStaticMember(group, old, memberId, params);
      return this.addMemberAndRebalance(group, memberId, params);
    }
    if (params.requireKnownMemberId) {
      // KIP-394: hand out an id first, so a client that never comes back leaves no member behind.
      group.pendingMembers.set(memberId, this.scheduler.schedule(params.sessionTimeoutMs, () => {
        group.pendingMembers.delete(memberId);
        if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
      }));
      return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }
    return this.addMemberAndRebalance(group, memberId, params);
  }

  private joinCurrentMember(group: GroupMetadata, params: JoinGroupParams): Promise<JoinResult> | JoinResult {
    const pending = group.pendingMembers.get(params.memberId);
    if (pending) {
      pending();
      group.pendingMembers.delete(params.memberId);
      return this.addMemberAndRebalance(group, params.memberId, params);
    }
    const invalid = this.validateCurrentMember(group, params.memberId, params.groupInstanceId);
    if (invalid !== null) return joinError(invalid, params.memberId);
    const member = group.members.get(params.memberId)!;
    const unchanged = sameProtocols(member.protocols, params.protocols);
    switch (group.state) {
      case 'CompletingRebalance':
        // The member missed its JoinGroup answer; the generation is still the same one.
        if (unchanged) return this.currentGeneration(group, member.memberId, group.isLeader(member.memberId), false);
        return this.updateMemberAndRebalance(group, member, params);
      case 'Stable':
        if (unchanged && !group.isLeader(member.memberId)) return this.currentGeneration(group, member.memberId, false, false);
        // A leader rejoining asks for a new assignment (e.g. its metadata changed).
        return this.updateMemberAndRebalance(group, member, params);
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, params);
      default:
        return joinError(ErrorCode.UNKNOWN_MEMBER_ID, params.memberId);
    }
  }

  /**
   * A static member restarted (KIP-345): the new member id takes over the instance. In a Stable
   * group whose protocol choice does not change it keeps its assignment without a rebalance,
   * once the new identity is stored; a static leader is told to skip the assignment (KIP-814).
   */
  private async replaceStaticMember(group: GroupMetadata, old: MemberMetadata, memberId: string, params: JoinGroupParams): Promise<JoinResult> {
    const previous = { memberId: old.memberId, protocols: old.protocols, sessionTimeoutMs: old.sessionTimeoutMs, rebalanceTimeoutMs: old.rebalanceTimeoutMs, clientId: old.clientId, clientHost: old.clientHost };
    const wasLeader = group.isLeader(old.memberId);
    old.awaitingJoin?.(joinError(ErrorCode.FENCED_INSTANCE_ID, old.memberId));
    old.awaitingJoin = null;
    old.awaitingSync?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    old.awaitingSync = null;
    old.sessionTimer?.();
    old.sessionTimer = null;
    group.members.delete(old.memberId);
    group.pendingSyncMembers.delete(old.memberId);
    const member = old;
    Object.assign(member, { memberId, clientId: params.clientId, clientHost: params.clientHost, sessionTimeoutMs: params.sessionTimeoutMs, rebalanceTimeoutMs: params.rebalanceTimeoutMs, protocols: params.protocols });
    group.members.set(memberId, member);
    group.staticMembers.set(params.groupInstanceId!, memberId);
    if (wasLeader) group.leaderId = memberId;

    switch (group.state) {
      case 'Stable': {
        if (group.selectProtocol() !== group.protocolName) return this.updateMemberAndRebalance(group, member, params);
        const generation = group.generationId;
        try {
          await this.persistGroup(group);
        } catch (error) {
          this.log?.error({ err: error, group: group.groupId }, 'storing the replaced static member failed');
          if (group.members.get(memberId) === member) {
            group.members.delete(memberId);
            Object.assign(member, previous);
            group.members.set(previous.memberId, member);
            group.staticMembers.set(params.groupInstanceId!, previous.memberId);
            if (wasLeader) group.leaderId = previous.memberId;
            this.scheduleSessionExpiry(group, member);
          }
          return joinError(ErrorCode.UNKNOWN_SERVER_ERROR, memberId);
        }
        if (group.members.get(memberId) !== member) return joinError(ErrorCode.FENCED_INSTANCE_ID, memberId);
        if (group.state !== 'Stable' || group.generationId !== generation) return this.waitForJoin(group, member);
        this.scheduleSessionExpiry(group, member);
        return this.currentGeneration(group, memberId, group.isLeader(memberId), group.isLeader(memberId));
      }
      case 'CompletingRebalance':
        // The leader may already be assigning to the old id, so the group has to rebalance.
        return this.updateMemberAndRebalance(group, member, params);
      default:
        return this.waitForJoin(group, member);
    }
  }

  private addMemberAndRebalance(group: GroupMetadata, memberId: string, params: JoinGroupParams): Promise<JoinResult> {
    const member: MemberMetadata = {
      memberId,
      groupInstanceId: params.groupInstanceId,
      clientId: params.clientId,
      clientHost: params.clientHost,
      sessionTimeoutMs: params.sessionTimeoutMs,
      rebalanceTimeoutMs: params.rebalanceTimeoutMs,
      protocolType: params.protocolType,
      protocols: params.protocols,
      assignment: Buffer.alloc(0),
      isNew: true,
      awaitingJoin: null,
      awaitingSync: null,
      sessionTimer: null,
    };
    if (group.members.size === 0) group.protocolType = params.protocolType;
    group.members.set(memberId, member);
    if (params.groupInstanceId !== null) group.staticMembers.set(params.groupInstanceId, memberId);
    if (group.state === 'PreparingRebalance' && group.generationId === 0) group.newMemberAdded = true;
    return this.waitForJoin(group, member);
  }

  private updateMemberAndRebalance(group: GroupMetadata, member: MemberMetadata, params: JoinGroupParams): Promise<JoinResult> {
    member.protocols = params.protocols;
    member.sessionTimeoutMs = params.sessionTimeoutMs;
    member.rebalanceTimeoutMs = params.rebalanceTimeoutMs;
    return this.waitForJoin(group, member);
  }

  /** A JoinGroup answer for the generation the group is already in (no rebalance). */
  private currentGeneration(group: GroupMetadata, memberId: string, withMembers: boolean, skipAssignment: boolean): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId,
      skipAssignment,
      members: withMembers ? this.memberList(group) : [],
    };
  }

  private waitForJoin(group: GroupMetadata, member: MemberMetadata): Promise<JoinResult> {
    member.sessionTimer?.();
    member.sessionTimer = null;
    // A member's session does not run while it waits in JoinGroup; only a brand-new member
    // is bounded, since it cannot heartbeat without an id.
    if (member.isNew) member.sessionTimer = this.scheduler.schedule(NEW_MEMBER_JOIN_TIMEOUT_MS, () => this.expireMember(group, member, 'new member join timeout'));
    return new Promise((resolve) => {
      member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
      member.awaitingJoin = resolve;
      if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
      else this.prepareRebalance(group, `member ${member.memberId} joined`);
    });
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.state === 'CompletingRebalance') {
      // Followers waiting for an assignment that will never come rejoin instead.
      for (const member of group.members.values()) {
        member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.awaitingSync = null;
      }
    }
    group.pendingSyncTimer?.();
    group.pendingSyncTimer = null;
    group.pendingSyncMembers.clear();
    group.rebalanceTimer?.();
    const wasEmpty = group.state === 'Empty';
    group.transition('PreparingRebalance', this.now());
    this.log?.info({ group: group.groupId, generation: group.generationId, reason }, 'preparing to rebalance group');
    const delay = this.config.initialRebalanceDelayMs;
    if (wasEmpty && delay > 0) {
      this.scheduleInitialJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      group.initialDelayRunning = false;
      group.rebalanceTimer = this.scheduler.schedule(group.rebalanceTimeoutMs(), () => this.completeJoin(group));
      this.maybeCompleteJoin(group);
    }
  }

  /**
   * Kafka's InitialDelayedJoin: a new group waits group.initial.rebalance.delay.ms so members
   * starting together land in one generation (it is never cut short), and waits again while
   * members keep arriving, up to the rebalance timeout.
   */
  private scheduleInitialJoin(group: GroupMetadata, delayMs: number, remainingMs: number): void {
    group.newMemberAdded = false;
    group.initialDelayRunning = true;
    group.rebalanceTimer = this.scheduler.schedule(delayMs, () => {
      group.rebalanceTimer = null;
      if (group.newMemberAdded && remainingMs > 0) {
        const next = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
        this.scheduleInitialJoin(group, next, Math.max(remainingMs - next, 0));
        return;
      }
      group.initialDelayRunning = false;
      this.completeJoin(group);
    });
  }

  private maybeCompleteJoin(group: GroupMetadata): void {
    if (group.state === 'PreparingRebalance' && !group.initialDelayRunning && group.allMembersJoined()) this.completeJoin(group);
  }

  /** Ends the join phase: dynamic members that did not rejoin are dropped, a new generation starts. */
  private completeJoin(group: GroupMetadata): void {
    if (group.state !== 'PreparingRebalance') return;
    group.rebalanceTimer?.();
    group.rebalanceTimer = null;
    for (const member of [...group.members.values()]) {
      // Static members keep their place until their session expires (KIP-345).
      if (member.awaitingJoin === null && member.groupInstanceId === null) this.removeMember(group, member);
    }
    if (!group.electJoinedLeader() && group.members.size > 0) {
      this.log?.warn({ group: group.groupId }, 'no member rejoined; waiting for sessions to expire');
      group.rebalanceTimer = this.scheduler.schedule(group.rebalanceTimeoutMs(), () => this.completeJoin(group));
      return;
    }
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.leaderId = null;
      group.subscribedTopics = null;
      group.transition('Empty', this.now());
      this.persistInBackground(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    group.subscribedTopics = group.computeSubscribedTopics();
    group.transition('CompletingRebalance', this.now());
    const members = this.memberList(group);
    for (const member of group.members.values()) {
      group.pendingSyncMembers.add(member.memberId);
      const respond = member.awaitingJoin;
      member.awaitingJoin = null;
      member.isNew = false;
      this.scheduleSessionExpiry(group, member);
      respond?.({
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId!,
        memberId: member.memberId,
        skipAssignment: false,
        members: group.isLeader(member.memberId) ? members : [],
      });
    }
    this.schedulePendingSync(group);
    this.log?.info({ group: group.groupId, generation: group.generationId, members: group.members.size, protocol: group.protocolName }, 'group rebalanced');
  }

  /** Members that never send SyncGroup within the rebalance timeout are removed (Kafka 3.1+). */
  private schedulePendingSync(group: GroupMetadata): void {
    const generation = group.generationId;
    group.pendingSyncTimer?.();
    group.pendingSyncTimer = this.scheduler.schedule(group.rebalanceTimeoutMs(), () => {
      group.pendingSyncTimer = null;
      if (group.generationId !== generation || (group.state !== 'CompletingRebalance' && group.state !== 'Stable')) return;
      if (group.pendingSyncMembers.size === 0) return;
      const missing = [...group.pendingSyncMembers];
      this.log?.info({ group: group.groupId, members: missing }, 'members did not sync in time');
      for (const memberId of missing) {
        const member = group.members.get(memberId);
        if (member) this.removeMember(group, member);
      }
      this.prepareRebalance(group, 'members did not sync');
    });
  }

  private memberList(group: GroupMetadata): JoinResult['members'] {
    return [...group.members.values()].map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, metadata: group.metadataFor(member) }));
  }

  /** Kafka's validateCurrentMember: a static instance must map to this member id, and the member must exist. */
  private validateCurrentMember(group: GroupMetadata, memberId: string, groupInstanceId: string | null): number | null {
    if (groupInstanceId !== null) {
      const current = group.staticMembers.get(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return group.members.has(memberId) ? null : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  // ---- SyncGroup / Heartbeat / LeaveGroup ------------------------------------------------

  async syncGroup(params: SyncGroupParams): Promise<SyncResult> {
    const unavailable = this.unavailable(params.groupId, 'membership');
    if (unavailable !== null) return syncError(unavailable);
    const group = this.groups.get(params.groupId);
    if (!group) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.state === 'Dead') return syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const invalid = this.validateCurrentMember(group, params.memberId, params.groupInstanceId);
    if (invalid !== null) return syncError(invalid);
    if (params.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION);
    if ((params.protocolType !== null && params.protocolType !== group.protocolType) || (params.protocolName !== null && params.protocolName !== group.protocolName)) {
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const member = group.members.get(params.memberId)!;
    const ok = (assignment: Buffer): SyncResult => ({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment });
    switch (group.state) {
      case 'Empty':
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.markSynced(group, member);
        this.scheduleSessionExpiry(group, member);
        return ok(member.assignment);
      default:
        break;
    }
    this.markSynced(group, member);
    this.scheduleSessionExpiry(group, member);
    const waiting = new Promise<SyncResult>((resolve) => {
      member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      member.awaitingSync = resolve;
    });
    if (group.isLeader(member.memberId)) void this.completeSync(group, params.assignments);
    return waiting;
  }

  /** The leader's assignment is stored first; only then do members hear it and the group turn Stable. */
  private async completeSync(group: GroupMetadata, assignments: SyncGroupParams['assignments']): Promise<void> {
    const generation = group.generationId;
    const byMember = new Map(assignments.map((entry) => [entry.memberId, entry.assignment]));
    const proposed = new Map([...group.members.keys()].map((memberId) => [memberId, byMember.get(memberId) ?? Buffer.alloc(0)]));
    try {
      await this.persistGroup(group, proposed);
    } catch (error) {
      this.log?.error({ err: error, group: group.groupId }, 'storing group assignment failed');
      if (group.generationId === generation && group.state === 'CompletingRebalance') {
        for (const member of group.members.values()) {
          member.awaitingSync?.(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
          member.awaitingSync = null;
        }
        this.prepareRebalance(group, 'storing the assignment failed');
      }
      return;
    }
    if (group.generationId !== generation || group.state !== 'CompletingRebalance') return;
    for (const member of group.members.values()) member.assignment = proposed.get(member.memberId) ?? Buffer.alloc(0);
    group.transition('Stable', this.now());
    for (const member of group.members.values()) {
      member.awaitingSync?.({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
      member.awaitingSync = null;
    }
  }

  private markSynced(group: GroupMetadata, member: MemberMetadata): void {
    group.pendingSyncMembers.delete(member.memberId);
    if (group.pendingSyncMembers.size === 0) {
      group.pendingSyncTimer?.();
      group.pendingSyncTimer = null;
    }
  }

  async heartbeat(params: HeartbeatParams): Promise<{ errorCode: number }> {
    const unavailable = this.unavailable(params.groupId, 'membership');
    if (unavailable !== null) return { errorCode: unavailable };
    const group = this.groups.get(params.groupId);
    if (!group) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
    if (group.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    const invalid = this.validateCurrentMember(group, params.memberId, params.groupInstanceId);
    if (invalid !== null) return { errorCode: invalid };
    if (params.generationId !== group.generationId) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
    const member = group.members.get(params.memberId)!;
    switch (group.state) {
      case 'Empty':
        return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      case 'PreparingRebalance':
        if (member.awaitingJoin === null) this.scheduleSessionExpiry(group, member);
        return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
      default:
        this.scheduleSessionExpiry(group, member);
        return { errorCode: ErrorCode.NONE };
    }
  }

  async leaveGroup(params: LeaveGroupParams): Promise<LeaveGroupResult> {
    const unavailable = this.unavailable(params.groupId, 'membership');
    if (unavailable !== null) return { errorCode: unavailable, members: [] };
    const group = this.groups.get(params.groupId);
    const answer = (leaving: LeaveGroupParams['members'][number], errorCode: number) => ({ memberId: leaving.memberId, groupInstanceId: leaving.groupInstanceId, errorCode });
    if (!group) return { errorCode: ErrorCode.NONE, members: params.members.map((leaving) => answer(leaving, ErrorCode.UNKNOWN_MEMBER_ID)) };
    if (group.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const results = params.members.map((leaving) => {
      if (leaving.memberId === '') {
        // KIP-345: administrative removal of a static member by its instance id.
        const current = leaving.groupInstanceId === null ? undefined : group.staticMembers.get(leaving.groupInstanceId);
        if (current === undefined) return answer(leaving, ErrorCode.UNKNOWN_MEMBER_ID);
        this.removeMemberAndUpdateGroup(group, group.members.get(current)!, `left: ${leaving.reason ?? 'removed by instance id'}`);
        return answer(leaving, ErrorCode.NONE);
      }
      const pending = group.pendingMembers.get(leaving.memberId);
      if (pending) {
        pending();
        group.pendingMembers.delete(leaving.memberId);
        if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
        return answer(leaving, ErrorCode.NONE);
      }
      const invalid = this.validateCurrentMember(group, leaving.memberId, leaving.groupInstanceId);
      if (invalid !== null) return answer(leaving, invalid);
      this.removeMemberAndUpdateGroup(group, group.members.get(leaving.memberId)!, `left: ${leaving.reason ?? 'no reason given'}`);
      return answer(leaving, ErrorCode.NONE);
    });
    return { errorCode: ErrorCode.NONE, members: results };
  }

  private removeMember(group: GroupMetadata, member: MemberMetadata): void {
    member.sessionTimer?.();
    member.sessionTimer = null;
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingJoin = null;
    member.awaitingSync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    member.awaitingSync = null;
    group.members.delete(member.memberId);
    group.pendingSyncMembers.delete(member.memberId);
    if (member.groupInstanceId !== null && group.staticMembers.get(member.groupInstanceId) === member.memberId) group.staticMembers.delete(member.groupInstanceId);
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, reason: string): void {
    this.log?.info({ group: group.groupId, member: member.memberId, reason }, 'member removed from group');
    this.removeMember(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group, `member ${member.memberId} ${reason}`);
    else if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
  }

  private expireMember(group: GroupMetadata, member: MemberMetadata, reason: string): void {
    member.sessionTimer = null;
    if (this.groups.get(group.groupId) !== group || group.members.get(member.memberId) !== member) return;
    this.removeMemberAndUpdateGroup(group, member, reason);
  }

  private scheduleSessionExpiry(group: GroupMetadata, member: MemberMetadata): void {
    member.sessionTimer?.();
    member.sessionTimer = this.scheduler.schedule(member.sessionTimeoutMs, () => {
      // Kafka keeps members alive while they wait in JoinGroup or SyncGroup.
      if (member.awaitingJoin || member.awaitingSync) {
        member.sessionTimer = null;
        return;
      }
      this.expireMember(group, member, 'session expired');
    });
  }

  private cancelTimers(group: GroupMetadata): void {
    group.rebalanceTimer?.();
    group.rebalanceTimer = null;
    group.initialDelayRunning = false;
    group.pendingSyncTimer?.();
    group.pendingSyncTimer = null;
    for (const cancel of group.pendingMembers.values()) cancel();
    for (const member of group.members.values()) {
      member.sessionTimer?.();
      member.sessionTimer = null;
    }
  }

  // ---- offsets ---------------------------------------------------------------------------

  async commitOffsets(params: CommitParams): Promise<CommitResult> {
    const all = (errorCode: number) => sameErrorForAll(params.topics, errorCode);
    const unavailable = this.unavailable(params.groupId, 'offsets');
    if (unavailable !== null) return all(unavailable);
    const existing = this.groups.get(params.groupId);
    // Only a consumer outside group management may create a group by committing.
    if (!existing && params.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
    const group = existing ?? new GroupMetadata(params.groupId, this.now());
    const invalid = this.validateOffsetCommit(group, params);
    if (invalid !== null) return all(invalid);
    if (!existing) this.groups.set(params.groupId, group);
    if (group.state === 'CompletingRebalance') return all(ErrorCode.REBALANCE_IN_PROGRESS);
    const member = group.members.get(params.memberId);
    if (member && (group.state === 'Stable' || group.state === 'PreparingRebalance')) this.scheduleSessionExpiry(group, member);

    const { records, accepted, results } = this.offsetRecords(params.groupId, params.topics, params.retentionTimeMs);
    if (records.length === 0) return { topics: results };
    try {
      await this.store.append(this.partitionFor(params.groupId), records);
    } catch (error) {
      this.log?.error({ err: error, group: params.groupId }, 'storing offsets failed');
      return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    if (this.groups.get(params.groupId) === group && group.state !== 'Dead') for (const { key, entry } of accepted) group.offsets.set(key, entry);
    return { topics: results };
  }

  /** The __consumer_offsets records of a commit, with the per-partition results (metadata size checked). */
  private offsetRecords(groupId: string, topics: CommitParams['topics'], retentionTimeMs: number) {
    const now = this.now();
    const records: Array<{ key: Buffer; value: Buffer }> = [];
    const accepted: Array<{ key: string; entry: OffsetEntry }> = [];
    const results = topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        const metadata = partition.committedMetadata ?? '';
        if (Buffer.byteLength(metadata) > this.config.offsetMetadataMaxBytes) return { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        const entry: OffsetEntry = {
          offset: partition.committedOffset,
          leaderEpoch: partition.committedLeaderEpoch,
          metadata,
          commitTimestamp: now,
          expireTimestamp: retentionTimeMs >= 0 ? now + retentionTimeMs : -1,
        };
        records.push({ key: encodeOffsetKey(groupId, topic.name, partition.partitionIndex), value: encodeOffsetValue(entry) });
        accepted.push({ key: GroupMetadata.offsetKey(topic.name, partition.partitionIndex), entry });
        return { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
    return { records, accepted, results };
  }

  /**
   * TxnOffsetCommit: the offsets are written now as records of the producer's transaction and
   * become the group's committed offsets only when the commit marker reaches this partition.
   */
  async commitTxnOffsets(params: TxnCommitParams): Promise<CommitResult> {
    const all = (errorCode: number) => sameErrorForAll(params.topics, errorCode);
    const unavailable = this.unavailable(params.groupId, 'offsets');
    if (unavailable !== null) return all(unavailable);
    const group = this.groups.get(params.groupId);
    if (group && params.generationId >= 0) {
      const invalid = this.validateCurrentMember(group, params.memberId, params.groupInstanceId);
      if (invalid !== null) return all(invalid);
      if (params.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
    }
    const { records, accepted, results } = this.offsetRecords(params.groupId, params.topics, -1);
    if (records.length === 0) return { topics: results };
    try {
      await this.store.append(this.partitionFor(params.groupId), records, { producerId: params.producerId, producerEpoch: params.producerEpoch });
    } catch (error) {
      this.log?.warn({ err: error, group: params.groupId, transactionalId: params.transactionalId }, 'storing transactional offsets failed');
      const code = (error as { code?: number }).code;
      return all(code === ErrorCode.INVALID_PRODUCER_EPOCH ? ErrorCode.PRODUCER_FENCED : ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    for (const { key, entry } of accepted) this.pendingTxnOffsets.add(params.producerId, params.groupId, key, entry);
    return { topics: results };
  }

  /** A marker reached a __consumer_offsets partition: the producer's pending offsets there settle. */
  completeTransaction(partition: number, producerId: number, result: TransactionResult): void {
    if (this.partitions.get(partition) === 'loading') {
      // The replay may have read the log before this marker landed: settle once it is done.
      this.markersDuringLoad.set(partition, [...(this.markersDuringLoad.get(partition) ?? []), { producerId, result }]);
      return;
    }
    const settled = this.pendingTxnOffsets.take(producerId, (groupId) => this.partitionFor(groupId) === partition);
    if (result !== 'commit') return;
    for (const [groupId, entries] of settled) {
      let group = this.groups.get(groupId);
      if (!group) {
        group = new GroupMetadata(groupId, this.now());
        this.groups.set(groupId, group);
      }
      for (const [key, entry] of entries) group.offsets.set(key, entry);
    }
  }

  /** Kafka's validateOffsetCommit: members are checked when the commit names one; otherwise only an Empty group takes it. */
  private validateOffsetCommit(group: GroupMetadata, params: CommitParams): number | null {
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (params.generationId >= 0 || params.memberId !== '' || params.groupInstanceId !== null) {
      const invalid = this.validateCurrentMember(group, params.memberId, params.groupInstanceId);
      if (invalid !== null) return invalid;
      return params.generationId === group.generationId ? null : ErrorCode.ILLEGAL_GENERATION;
    }
    return group.state === 'Empty' ? null : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  async fetchOffsets(params: FetchOffsetsParams): Promise<FetchOffsetsResult> {
    const unavailable = this.unavailable(params.groupId, 'offsets');
    if (unavailable !== null) return { errorCode: unavailable, topics: [] };
    const group = this.groups.get(params.groupId);
    const entryFor = (topic: string, partitionIndex: number) => {
      const entry = group?.offsets.get(GroupMetadata.offsetKey(topic, partitionIndex));
      return {
        partitionIndex,
        committedOffset: entry?.offset ?? -1,
        committedLeaderEpoch: entry?.leaderEpoch ?? -1,
        metadata: entry?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      };
    };
    if (params.topics === null) {
      const byTopic = new Map<string, number[]>();
      for (const key of group?.offsets.keys() ?? []) {
        const { topic, partition } = GroupMetadata.splitOffsetKey(key);
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
      }
      return { errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a - b).map((p) => entryFor(name, p)) })) };
    }
    return { errorCode: ErrorCode.NONE, topics: params.topics.map((topic) => ({ name: topic.name, partitions: topic.partitionIndexes.map((p) => entryFor(topic.name, p)) })) };
  }

  /** OffsetDelete (KIP-496): an Empty group loses any offsets; a consumer group only those of topics it no longer subscribes to. */
  async deleteOffsets(params: DeleteOffsetsParams): Promise<DeleteOffsetsResult> {
    const unavailable = this.unavailable(params.groupId, 'admin');
    if (unavailable !== null) return { errorCode: unavailable, topics: [] };
    const group = this.groups.get(params.groupId);
    if (!group || group.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    if (group.state !== 'Empty' && group.protocolType !== 'consumer') return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
    const subscribed = (topic: string) => group.state !== 'Empty' && (group.subscribedTopics === null || group.subscribedTopics.has(topic));
    const deleted: string[] = [];
    const topics = params.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitionIndexes.map((partitionIndex) => {
        if (subscribed(topic.name)) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        const key = GroupMetadata.offsetKey(topic.name, partitionIndex);
        if (group.offsets.has(key)) deleted.push(key);
        return { partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
    await this.removeOffsets(group, deleted);
    return { errorCode: ErrorCode.NONE, topics };
  }

  /**
   * Writes tombstones for the offsets, then forgets them; an Empty group left without offsets is
   * Dead and its metadata gets a tombstone too (Kafka's cleanupGroupMetadata).
   */
  private async removeOffsets(group: GroupMetadata, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const tombstones: Array<{ key: Buffer; value: null }> = keys.map((key) => {
      const { topic, partition } = GroupMetadata.splitOffsetKey(key);
      return { key: encodeOffsetKey(group.groupId, topic, partition), value: null };
    });
    const remaining = [...group.offsets.keys()].filter((key) => !keys.includes(key)).length;
    const dies = group.state === 'Empty' && remaining === 0;
    if (dies) tombstones.push({ key: encodeGroupKey(group.groupId), value: null });
    await this.store.append(this.partitionFor(group.groupId), tombstones);
    for (const key of keys) group.offsets.delete(key);
    if (dies && group.state === 'Empty' && group.offsets.size === 0 && this.groups.get(group.groupId) === group) {
      group.transition('Dead', this.now());
      this.groups.delete(group.groupId);
    }
  }

  // ---- administration --------------------------------------------------------------------

  async describeGroups(groupIds: string[]): Promise<DescribedGroup[]> {
    return groupIds.map((groupId) => {
      const unavailable = this.unavailable(groupId, 'admin');
      const group = this.groups.get(groupId);
      if (unavailable !== null || !group) {
        return { errorCode: unavailable ?? ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
      }
      // As Kafka's GroupMetadata.summary: protocol, metadata and assignments only when Stable.
      const stable = group.state === 'Stable';
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        protocolData: stable ? group.protocolName ?? '' : '',
        members: [...group.members.values()].map((member) => ({
          memberId: member.memberId,
          groupInstanceId: member.groupInstanceId,
          clientId: member.clientId,
          clientHost: member.clientHost,
          memberMetadata: stable ? group.metadataFor(member) : Buffer.alloc(0),
          memberAssignment: stable ? member.assignment : Buffer.alloc(0),
        })),
      };
    });
  }

  /** Groups of the loaded partitions; COORDINATOR_LOAD_IN_PROGRESS (with what is known) while any partition loads. */
  async listGroups(statesFilter: string[] = []): Promise<ListGroupsResult> {
    const wanted = new Set(statesFilter.map((state) => state.toLowerCase()));
    const loading = [...this.partitions.values()].includes('loading');
    const groups = [...this.groups.values()]
      .filter((group) => this.ownsPartition(this.partitionFor(group.groupId)) && group.state !== 'Dead')
      .filter((group) => wanted.size === 0 || wanted.has(group.state.toLowerCase()))
      .map((group) => ({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state }));
    return { errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, groups };
  }

  async deleteGroups(groupIds: string[]): Promise<Array<{ groupId: string; errorCode: number }>> {
    const results: Array<{ groupId: string; errorCode: number }> = [];
    for (const groupId of groupIds) {
      const unavailable = this.unavailable(groupId, 'admin');
      const group = this.groups.get(groupId);
      if (unavailable !== null) results.push({ groupId, errorCode: unavailable });
      else if (!group || group.state === 'Dead') results.push({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
      else if (group.state !== 'Empty') results.push({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
      else {
        const tombstones: Array<{ key: Buffer; value: null }> = [...group.offsets.keys()].map((key) => {
          const { topic, partition } = GroupMetadata.splitOffsetKey(key);
          return { key: encodeOffsetKey(groupId, topic, partition), value: null };
        });
        tombstones.push({ key: encodeGroupKey(groupId), value: null });
        try {
          await this.store.append(this.partitionFor(groupId), tombstones);
        } catch (error) {
          this.log?.error({ err: error, group: groupId }, 'deleting group failed');
          results.push({ groupId, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
          continue;
        }
        this.cancelTimers(group);
        group.transition('Dead', this.now());
        if (this.groups.get(groupId) === group) this.groups.delete(groupId);
        results.push({ groupId, errorCode: ErrorCode.NONE });
      }
    }
    return results;
  }

  /**
   * offsets.retention.minutes with KIP-211's rules: an Empty group's offsets expire a retention
   * period after it became Empty; a Stable consumer group's offsets of topics it no longer
   * subscribes to expire a retention period after their commit; a group that only stores offsets
   * (no protocol type) expires each a retention period after its commit. Commits made with an
   * explicit retention time (OffsetCommit v2-v4) expire at their own timestamp.
   */
  async expireOffsets(): Promise<number> {
    const now = this.now();
    let expired = 0;
    for (const group of [...this.groups.values()]) {
      if (!this.ownsPartition(this.partitionFor(group.groupId))) continue;
      let base: ((entry: OffsetEntry) => number) | null = null;
      let keepTopics = new Set<string>();
      if (group.protocolType === null && group.state === 'Empty') base = (entry) => entry.commitTimestamp;
      else if (group.state === 'Empty') base = () => group.currentStateTimestamp;
      else if (group.protocolType === 'consumer' && group.state === 'Stable' && group.subscribedTopics !== null) {
        base = (entry) => entry.commitTimestamp;
        keepTopics = group.subscribedTopics;
      }
      if (base === null) continue;
      const baseOf = base;
      const keys = [...group.offsets].filter(([key, entry]) => {
        if (keepTopics.has(GroupMetadata.splitOffsetKey(key).topic)) return false;
        return entry.expireTimestamp >= 0 ? now >= entry.expireTimestamp : now - baseOf(entry) >= this.config.offsetsRetentionMs;
      }).map(([key]) => key);
      try {
        await this.removeOffsets(group, keys);
        expired += keys.length;
      } catch (error) {
        this.log?.error({ err: error, group: group.groupId }, 'expiring offsets failed');
      }
    }
    return expired;
  }

  /** Runs expireOffsets every offsets.retention.check.interval.ms until close(). */
  startOffsetExpiry(intervalMs = this.config.offsetsRetentionCheckIntervalMs): void {
    this.expiryTimer?.();
    const run = () => {
      this.expiryTimer = this.scheduler.schedule(intervalMs, () => {
        void this.expireOffsets().catch((error) => this.log?.error({ err: error }, 'offset expiry failed')).finally(() => {
          if (this.expiryTimer !== null) run();
        });
      });
    };
    run();
  }

  /** A group's committed offsets, for lag metrics. */
  committedOffsets(groupId: string): Array<{ topic: string; partition: number; offset: number }> {
    return [...(this.groups.get(groupId)?.offsets ?? [])].map(([key, entry]) => ({ ...GroupMetadata.splitOffsetKey(key), offset: entry.offset }));
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  private persistInBackground(group: GroupMetadata): void {
    this.persistGroup(group).catch((error) => this.log?.error({ err: error, group: group.groupId }, 'storing group metadata failed'));
  }

  private async persistGroup(group: GroupMetadata, assignments?: Map<string, Buffer>): Promise<void> {
    const value = encodeGroupValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestamp,
      members: [...group.members.values()].map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        rebalanceTimeoutMs: member.rebalanceTimeoutMs,
        sessionTimeoutMs: member.sessionTimeoutMs,
        subscription: group.metadataFor(member),
        assignment: assignments?.get(member.memberId) ?? member.assignment,
      })),
    });
    await this.store.append(this.partitionFor(group.groupId), [{ key: encodeGroupKey(group.groupId), value }]);
  }

  async close(): Promise<void> {
    this.expiryTimer?.();
    this.expiryTimer = null;
    for (const group of this.groups.values()) this.cancelTimers(group);
  }
}
