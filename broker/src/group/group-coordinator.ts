import { randomUUID } from 'node:crypto';
import type { Logger } from '@tributary/common';
import { ErrorCode } from '../protocol/errors.ts';
import { GroupMetadata, type GroupState, type JoinResult, type MemberMetadata, type SyncResult } from './group-metadata.ts';
import { partitionForGroup } from './group-partition.ts';
import type { GroupStore } from './group-store.ts';
import { decodeGroupValue, decodeKey, decodeOffsetValue, encodeGroupKey, encodeGroupValue, encodeOffsetKey, encodeOffsetValue, subscribedTopics } from './offsets-records.ts';
import { realScheduler, type Scheduler } from './scheduler.ts';

export interface GroupCoordinatorConfig {
  numPartitions: number;
  initialRebalanceDelayMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  offsetsRetentionMs: number;
  offsetMetadataMaxBytes: number;
}

export const DEFAULT_GROUP_CONFIG: GroupCoordinatorConfig = {
  numPartitions: 50,
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
  offsetMetadataMaxBytes: 4096,
};

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

export interface CommitParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }> }>;
}

type PartitionState = 'loading' | 'loaded';

function joinError(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, skipAssignment: false, members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

/**
 * Kafka's classic group coordinator: the JoinGroup / SyncGroup rebalance protocol with
 * MEMBER_ID_REQUIRED, static membership, session and rebalance timeouts, and committed offsets
 * written to the group's __consumer_offsets partition before they are acknowledged.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly partitions = new Map<number, PartitionState>();
  private expiryTimer: (() => void) | null = null;

  constructor(
    private readonly store: GroupStore,
    private readonly config: GroupCoordinatorConfig = DEFAULT_GROUP_CONFIG,
    private readonly log: Logger | null = null,
    private readonly scheduler: Scheduler = realScheduler,
  ) {}

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.config.numPartitions);
  }

  /** Why this coordinator cannot serve the group now, or null when it can. */
  private unavailable(groupId: string): number | null {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const state = this.partitions.get(this.partitionFor(groupId));
    if (state === undefined) return ErrorCode.NOT_COORDINATOR;
    if (state === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  // ---- partition ownership -------------------------------------------------------------

  /** Replays a __consumer_offsets partition: last record per key wins, null values delete. */
  async loadPartition(partition: number): Promise<void> {
    this.partitions.set(partition, 'loading');
    const loaded = new Map<string, GroupMetadata>();
    const group = (id: string) => {
      let found = loaded.get(id);
      if (!found) {
        found = new GroupMetadata(id);
        loaded.set(id, found);
      }
      return found;
    };
    const stored = new Map<string, ReturnType<typeof decodeGroupValue> | null>();
    for await (const record of this.store.load(partition)) {
      const key = decodeKey(record.key);
      if (key.type === 'offset') {
        const offsetKey = GroupMetadata.offsetKey(key.topic, key.partition);
        if (record.value === null) group(key.group).offsets.delete(offsetKey);
        else group(key.group).offsets.set(offsetKey, decodeOffsetValue(record.value));
      } else {
        stored.set(key.group, record.value === null ? null : decodeGroupValue(record.value));
        if (record.value === null) loaded.delete(key.group);
      }
    }
    for (const [groupId, value] of stored) {
      if (!value) continue;
      const restored = group(groupId);
      restored.generationId = value.generation;
      restored.protocolType = value.protocolType;
      restored.protocolName = value.protocol;
      restored.leaderId = value.leader;
      // Members come back Stable with fresh session timers, as Kafka does: consumers that
      // keep heartbeating carry on without a rebalance, the others expire.
      for (const member of value.members) {
        const restoredMember: MemberMetadata = {
          memberId: member.memberId,
          groupInstanceId: member.groupInstanceId,
          clientId: member.clientId,
          clientHost: member.clientHost,
          sessionTimeoutMs: member.sessionTimeoutMs,
          rebalanceTimeoutMs: member.rebalanceTimeoutMs,
          protocolType: value.protocolType,
          protocols: [{ name: value.protocol ?? '', metadata: member.subscription }],
          assignment: member.assignment,
          awaitingJoin: null,
          awaitingSync: null,
          sessionTimer: null,
        };
        restored.members.set(member.memberId, restoredMember);
        if (member.groupInstanceId) restored.staticMembers.set(member.groupInstanceId, member.memberId);
      }
      restored.transition(restored.members.size > 0 ? 'Stable' : 'Empty');
    }
    for (const [groupId, restored] of loaded) {
      this.groups.set(groupId, restored);
      for (const member of restored.members.values()) this.scheduleSessionExpiry(restored, member);
    }
    this.partitions.set(partition, 'loaded');
    this.log?.info({ partition, groups: loaded.size }, 'loaded group coordinator partition');
  }

  /** Leadership of the partition moved away: forget its groups (their members will find the new coordinator). */
  unloadPartition(partition: number): void {
    this.partitions.delete(partition);
    for (const [groupId, group] of this.groups) {
      if (this.partitionFor(groupId) !== partition) continue;
      this.cancelTimers(group);
      this.groups.delete(groupId);
    }
  }

  ownsPartition(partition: number): boolean {
    return this.partitions.get(partition) === 'loaded';
  }

  // ---- rebalance protocol ---------------------------------------------------------------

  async joinGroup(params: JoinGroupParams): Promise<JoinResult> {
    const unavailable = this.unavailable(params.groupId);
    if (unavailable !== null) return joinError(unavailable, params.memberId);
    if (params.sessionTimeoutMs < this.config.minSessionTimeoutMs || params.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, params.memberId);
    }
    let group = this.groups.get(params.groupId);
    if (!group) {
      if (params.memberId !== '' && !params.groupInstanceId) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, params.memberId);
      group = new GroupMetadata(params.groupId);
      this.groups.set(params.groupId, group);
    }
    if (group.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, params.memberId);
    if (!group.supportsProtocols(params.protocolType, params.protocols)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, params.memberId);

    if (params.memberId === '' || (params.groupInstanceId && !group.members.has(params.memberId) && !group.pendingMembers.has(params.memberId))) {
      return this.joinUnknownMember(group, params);
    }
    if (group.pendingMembers.has(params.memberId)) {
      group.pendingMembers.get(params.memberId)!();
      group.pendingMembers.delete(params.memberId);
      return this.addMemberAndRebalance(group, params.memberId, params);
    }
    const member = group.members.get(params.memberId);
    if (!member) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, params.memberId);
    if (params.groupInstanceId && group.staticMembers.get(params.groupInstanceId) !== params.memberId) {
      return joinError(ErrorCode.FENCED_INSTANCE_ID, params.memberId);
    }
    return this.joinKnownMember(group, member, params);
  }

  private joinUnknownMember(group: GroupMetadata, params: JoinGroupParams): Promise<JoinResult> | JoinResult {
    const memberId = `${params.clientId || 'member'}-${randomUUID()}`;
    if (params.groupInstanceId) {
      const oldMemberId = group.staticMembers.get(params.groupInstanceId);
      const old = oldMemberId ? group.members.get(oldMemberId) : undefined;
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

  /** A static member restarted: it takes over its old identity; a Stable group keeps its assignment. */
  private replaceStaticMember(group: GroupMetadata, old: MemberMetadata, memberId: string, params: JoinGroupParams): Promise<JoinResult> | JoinResult {
    const unchanged = sameProtocols(old.protocols, params.protocols);
    old.awaitingJoin?.(joinError(ErrorCode.FENCED_INSTANCE_ID, old.memberId));
    old.awaitingSync?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    old.sessionTimer?.();
    group.members.delete(old.memberId);
    const replacement: MemberMetadata = { ...old, memberId, clientId: params.clientId, clientHost: params.clientHost, sessionTimeoutMs: params.sessionTimeoutMs, rebalanceTimeoutMs: params.rebalanceTimeoutMs, protocols: params.protocols, awaitingJoin: null, awaitingSync: null, sessionTimer: null };
    group.members.set(memberId, replacement);
    group.staticMembers.set(params.groupInstanceId!, memberId);
    if (group.leaderId === old.memberId) group.leaderId = memberId;
    if (group.state === 'Stable' && unchanged) {
      this.scheduleSessionExpiry(group, replacement);
      void this.persistGroup(group);
      return this.currentGeneration(group, memberId, []);
    }
    return this.waitForJoin(group, replacement);
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
      awaitingJoin: null,
      awaitingSync: null,
      sessionTimer: null,
    };
    group.members.set(memberId, member);
    if (params.groupInstanceId) group.staticMembers.set(params.groupInstanceId, memberId);
    if (group.protocolType === null) group.protocolType = params.protocolType;
    return this.waitForJoin(group, member);
  }

  private joinKnownMember(group: GroupMetadata, member: MemberMetadata, params: JoinGroupParams): Promise<JoinResult> | JoinResult {
    const changed = !sameProtocols(member.protocols, params.protocols);
    member.protocols = params.protocols;
    member.sessionTimeoutMs = params.sessionTimeoutMs;
    member.rebalanceTimeoutMs = params.rebalanceTimeoutMs;
    const isLeader = group.leaderId === member.memberId;
    if ((group.state === 'Stable' && !isLeader && !changed) || (group.state === 'CompletingRebalance' && !changed)) {
      // A follower rejoining with what it had: tell it the current generation again.
      return this.currentGeneration(group, member.memberId, isLeader ? this.memberList(group) : []);
    }
    return this.waitForJoin(group, member);
  }

  /** A JoinGroup answer for the generation the group is already in (no rebalance). */
  private currentGeneration(group: GroupMetadata, memberId: string, members: JoinResult['members']): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId,
      skipAssignment: false,
      members,
    };
  }

  private waitForJoin(group: GroupMetadata, member: MemberMetadata): Promise<JoinResult> {
    member.sessionTimer?.();
    member.sessionTimer = null;
    return new Promise((resolve) => {
      member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
      member.awaitingJoin = resolve;
      if (group.state !== 'PreparingRebalance') this.prepareRebalance(group);
      else this.maybeCompleteJoin(group);
    });
  }

  private prepareRebalance(group: GroupMetadata): void {
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) {
        member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.awaitingSync = null;
      }
    }
    const wasEmpty = group.state === 'Empty';
    group.transition('PreparingRebalance');
    group.rebalanceTimer?.();
    if (wasEmpty && this.config.initialRebalanceDelayMs > 0) {
      // A new group waits a moment so members starting together land in one generation.
      group.initialDelayPending = true;
      group.rebalanceTimer = this.scheduler.schedule(this.config.initialRebalanceDelayMs, () => {
        group.initialDelayPending = false;
        group.rebalanceTimer = this.scheduler.schedule(Math.max(0, group.maxRebalanceTimeoutMs() - this.config.initialRebalanceDelayMs), () => this.completeJoin(group));
        this.maybeCompleteJoin(group);
      });
    } else {
      group.initialDelayPending = false;
      group.rebalanceTimer = this.scheduler.schedule(group.maxRebalanceTimeoutMs(), () => this.completeJoin(group));
      this.maybeCompleteJoin(group);
    }
  }

  private maybeCompleteJoin(group: GroupMetadata): void {
    if (group.state === 'PreparingRebalance' && !group.initialDelayPending && group.allMembersJoined()) this.completeJoin(group);
  }

  /** Ends the join phase: members that did not rejoin are dropped, a new generation starts. */
  private completeJoin(group: GroupMetadata): void {
    if (group.state !== 'PreparingRebalance') return;
    group.rebalanceTimer?.();
    group.rebalanceTimer = null;
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === null) this.removeMember(group, member);
    }
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.leaderId = null;
      group.transition('Empty');
      void this.persistGroup(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    if (!group.leaderId || !group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value!;
    group.transition('CompletingRebalance');
    const members = this.memberList(group);
    for (const member of group.members.values()) {
      const respond = member.awaitingJoin!;
      member.awaitingJoin = null;
      this.scheduleSessionExpiry(group, member);
      respond({
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId,
        memberId: member.memberId,
        skipAssignment: false,
        members: member.memberId === group.leaderId ? members : [],
      });
    }
    this.log?.info({ group: group.groupId, generation: group.generationId, members: group.members.size, protocol: group.protocolName }, 'group rebalanced');
  }

  private memberList(group: GroupMetadata) {
    return [...group.members.values()].map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, metadata: group.metadataFor(member) }));
  }

  async syncGroup(params: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null; protocolType: string | null; protocolName: string | null; assignments: Array<{ memberId: string; assignment: Buffer }> }): Promise<SyncResult> {
    const unavailable = this.unavailable(params.groupId);
    if (unavailable !== null) return syncError(unavailable);
    const group = this.groups.get(params.groupId);
    const member = group?.members.get(params.memberId);
    if (!group || !member) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (params.groupInstanceId && group.staticMembers.get(params.groupInstanceId) !== params.memberId) return syncError(ErrorCode.FENCED_INSTANCE_ID);
    if (params.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION);
    if ((params.protocolType !== null && params.protocolType !== group.protocolType) || (params.protocolName !== null && params.protocolName !== group.protocolName)) {
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    this.scheduleSessionExpiry(group, member);
    const ok = (assignment: Buffer): SyncResult => ({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment });
    switch (group.state) {
      case 'PreparingRebalance':
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        return ok(member.assignment);
      case 'CompletingRebalance':
        break;
      default:
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    }
    const waiting = new Promise<SyncResult>((resolve) => {
      member.awaitingSync = resolve;
    });
    if (member.memberId === group.leaderId) {
      const generation = group.generationId;
      const byMember = new Map(params.assignments.map((entry) => [entry.memberId, entry.assignment]));
      for (const each of group.members.values()) each.assignment = byMember.get(each.memberId) ?? Buffer.alloc(0);
      try {
        await this.persistGroup(group);
      } catch (error) {
        this.log?.error({ err: error, group: group.groupId }, 'storing group metadata failed');
        if (group.generationId === generation && group.state === 'CompletingRebalance') {
          for (const each of group.members.values()) each.assignment = Buffer.alloc(0);
          this.prepareRebalance(group);
        }
        return waiting;
      }
      if (group.generationId === generation && group.state === 'CompletingRebalance') {
        group.transition('Stable');
        for (const each of group.members.values()) {
          each.awaitingSync?.(ok(each.assignment));
          each.awaitingSync = null;
        }
      }
    }
    return waiting;
  }

  async heartbeat(params: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }): Promise<{ errorCode: number }> {
    const unavailable = this.unavailable(params.groupId);
    if (unavailable !== null) return { errorCode: unavailable };
    const group = this.groups.get(params.groupId);
    const member = group?.members.get(params.memberId);
    if (!group || !member) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
    if (params.groupInstanceId && group.staticMembers.get(params.groupInstanceId) !== params.memberId) return { errorCode: ErrorCode.FENCED_INSTANCE_ID };
    if (params.generationId !== group.generationId) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
    if (group.state === 'PreparingRebalance') {
      // A member waiting for others to rejoin keeps its session while it is told to rejoin.
      if (member.awaitingJoin === null) this.scheduleSessionExpiry(group, member);
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
    }
    this.scheduleSessionExpiry(group, member);
    return { errorCode: ErrorCode.NONE };
  }

  async leaveGroup(params: { groupId: string; members: Array<{ memberId: string; groupInstanceId: string | null; reason?: string | null }> }): Promise<{ errorCode: number; members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }> }> {
    const unavailable = this.unavailable(params.groupId);
    if (unavailable !== null) return { errorCode: unavailable, members: [] };
    const group = this.groups.get(params.groupId);
    if (!group) return { errorCode: ErrorCode.NONE, members: params.members.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) };
    const results = [];
    let removed = false;
    for (const leaving of params.members) {
      const memberId = leaving.groupInstanceId ? group.staticMembers.get(leaving.groupInstanceId) : leaving.memberId;
      if (leaving.groupInstanceId && leaving.memberId !== '' && memberId !== leaving.memberId) {
        results.push({ memberId: leaving.memberId, groupInstanceId: leaving.groupInstanceId, errorCode: ErrorCode.FENCED_INSTANCE_ID });
        continue;
      }
      const member = memberId ? group.members.get(memberId) : undefined;
      if (!member) {
        if (group.pendingMembers.has(leaving.memberId)) {
          group.pendingMembers.get(leaving.memberId)!();
          group.pendingMembers.delete(leaving.memberId);
          results.push({ memberId: leaving.memberId, groupInstanceId: leaving.groupInstanceId, errorCode: ErrorCode.NONE });
          continue;
        }
        results.push({ memberId: leaving.memberId, groupInstanceId: leaving.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
        continue;
      }
      this.removeMember(group, member);
      removed = true;
      results.push({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, errorCode: ErrorCode.NONE });
      this.log?.info({ group: group.groupId, member: member.memberId, reason: leaving.reason ?? null }, 'member left group');
    }
    if (removed) this.afterMembershipChange(group);
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
    if (member.groupInstanceId && group.staticMembers.get(member.groupInstanceId) === member.memberId) group.staticMembers.delete(member.groupInstanceId);
  }

  private afterMembershipChange(group: GroupMetadata): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group);
    else if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
  }

  private scheduleSessionExpiry(group: GroupMetadata, member: MemberMetadata): void {
    member.sessionTimer?.();
    member.sessionTimer = this.scheduler.schedule(member.sessionTimeoutMs, () => {
      member.sessionTimer = null;
      if (group.members.get(member.memberId) !== member || member.awaitingJoin) return;
      this.log?.info({ group: group.groupId, member: member.memberId }, 'member session expired');
      this.removeMember(group, member);
      if (group.members.size === 0 && group.state === 'Stable') {
        group.transition('PreparingRebalance');
        this.completeJoin(group);
      } else this.afterMembershipChange(group);
    });
  }

  private cancelTimers(group: GroupMetadata): void {
    group.rebalanceTimer?.();
    for (const cancel of group.pendingMembers.values()) cancel();
    for (const member of group.members.values()) member.sessionTimer?.();
  }

  // ---- offsets ---------------------------------------------------------------------------

  async commitOffsets(params: CommitParams): Promise<{ topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }> }> {
    const all = (errorCode: number) => ({
      topics: params.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    });
    const unavailable = this.unavailable(params.groupId);
    if (unavailable !== null) return all(unavailable);
    let group = this.groups.get(params.groupId);
    if (params.generationId < 0 && params.memberId === '') {
      // Simple consumers (assign(), no group membership) commit outside any generation.
      if (group && group.state !== 'Empty' && group.state !== 'Dead') return all(ErrorCode.ILLEGAL_GENERATION);
      if (!group) {
        group = new GroupMetadata(params.groupId);
        this.groups.set(params.groupId, group);
      }
    } else {
      const member = group?.members.get(params.memberId);
      if (!group || !member) return all(ErrorCode.UNKNOWN_MEMBER_ID);
      if (params.groupInstanceId && group.staticMembers.get(params.groupInstanceId) !== params.memberId) return all(ErrorCode.FENCED_INSTANCE_ID);
      if (params.generationId !== group.generationId) return all(ErrorCode.ILLEGAL_GENERATION);
      // As in Kafka, a member of the current generation may still commit while others rejoin
      // (PreparingRebalance); only between join and sync is the generation in flux.
      if (group.state === 'CompletingRebalance') return all(ErrorCode.REBALANCE_IN_PROGRESS);
      this.scheduleSessionExpiry(group, member);
    }
    const now = this.scheduler.now();
    const records: Array<{ key: Buffer; value: Buffer }> = [];
    const accepted: Array<{ topic: string; partition: number; entry: { offset: number; leaderEpoch: number; metadata: string; commitTimestamp: number } }> = [];
    const results = params.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        const metadata = partition.committedMetadata ?? '';
        if (Buffer.byteLength(metadata) > this.config.offsetMetadataMaxBytes) return { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
        const entry = { offset: partition.committedOffset, leaderEpoch: partition.committedLeaderEpoch, metadata, commitTimestamp: now };
        records.push({ key: encodeOffsetKey(params.groupId, topic.name, partition.partitionIndex), value: encodeOffsetValue(entry) });
        accepted.push({ topic: topic.name, partition: partition.partitionIndex, entry });
        return { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
    if (records.length > 0) {
      try {
        await this.store.append(this.partitionFor(params.groupId), records);
      } catch (error) {
        this.log?.error({ err: error, group: params.groupId }, 'storing offsets failed');
        return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
      for (const { topic, partition, entry } of accepted) group.offsets.set(GroupMetadata.offsetKey(topic, partition), entry);
    }
    return { topics: results };
  }

  async fetchOffsets(params: { groupId: string; topics: Array<{ name: string; partitionIndexes: number[] }> | null }) {
    const unavailable = this.unavailable(params.groupId);
    if (unavailable !== null) return { errorCode: unavailable, topics: [] };
    const group = this.groups.get(params.groupId);
    const entryFor = (topic: string, partitionIndex: number) => {
      const entry = group?.offsets.get(GroupMetadata.offsetKey(topic, partitionIndex));
      return {
        partitionIndex,
        committedOffset: entry?.offset ?? -1,
        committedLeaderEpoch: entry?.leaderEpoch ?? -1,
        metadata: entry ? entry.metadata : '',
        errorCode: ErrorCode.NONE,
      };
    };
    if (params.topics === null) {
      const byTopic = new Map<string, number[]>();
      for (const key of group?.offsets.keys() ?? []) {
        const [topic, partition] = key.split('\u0000') as [string, string];
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(partition)]);
      }
      return { errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a - b).map((p) => entryFor(name, p)) })) };
    }
    return { errorCode: ErrorCode.NONE, topics: params.topics.map((topic) => ({ name: topic.name, partitions: topic.partitionIndexes.map((p) => entryFor(topic.name, p)) })) };
  }

  async deleteOffsets(params: { groupId: string; topics: Array<{ name: string; partitionIndexes: number[] }> }) {
    const unavailable = this.unavailable(params.groupId);
    if (unavailable !== null) return { errorCode: unavailable, topics: [] };
    const group = this.groups.get(params.groupId);
    if (!group || group.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    const subscribed = new Set<string>();
    if (group.state !== 'Empty') {
      for (const member of group.members.values()) for (const topic of subscribedTopics(group.metadataFor(member))) subscribed.add(topic);
    }
    const tombstones: Array<{ key: Buffer; value: null }> = [];
    const topics = params.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitionIndexes.map((partitionIndex) => {
        if (subscribed.has(topic.name)) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        tombstones.push({ key: encodeOffsetKey(params.groupId, topic.name, partitionIndex), value: null });
        return { partitionIndex, errorCode: ErrorCode.NONE };
      }),
    }));
    if (tombstones.length > 0) {
      await this.store.append(this.partitionFor(params.groupId), tombstones);
      for (const topic of topics) for (const p of topic.partitions) if (p.errorCode === 0) group.offsets.delete(GroupMetadata.offsetKey(topic.name, p.partitionIndex));
    }
    return { errorCode: ErrorCode.NONE, topics };
  }

  // ---- administration --------------------------------------------------------------------

  async describeGroups(groupIds: string[]) {
    return groupIds.map((groupId) => {
      const unavailable = this.unavailable(groupId);
      const group = this.groups.get(groupId);
      if (unavailable !== null || !group) {
        return { errorCode: unavailable ?? ErrorCode.NONE, groupId, groupState: 'Dead' as GroupState, protocolType: '', protocolData: '', members: [] };
      }
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        protocolData: group.protocolName ?? '',
        members: [...group.members.values()].map((member) => ({
          memberId: member.memberId,
          groupInstanceId: member.groupInstanceId,
          clientId: member.clientId,
          clientHost: member.clientHost,
          memberMetadata: group.state === 'Stable' || group.state === 'CompletingRebalance' ? group.metadataFor(member) : Buffer.alloc(0),
          memberAssignment: group.state === 'Stable' ? member.assignment : Buffer.alloc(0),
        })),
      };
    });
  }

  async listGroups(statesFilter: string[] = []) {
    const wanted = new Set(statesFilter.map((state) => state.toLowerCase()));
    const groups = [...this.groups.values()]
      .filter((group) => this.ownsPartition(this.partitionFor(group.groupId)) && group.state !== 'Dead')
      .filter((group) => wanted.size === 0 || wanted.has(group.state.toLowerCase()))
      .map((group) => ({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state }));
    return { errorCode: ErrorCode.NONE, groups };
  }

  async deleteGroups(groupIds: string[]) {
    const results = [];
    for (const groupId of groupIds) {
      const unavailable = this.unavailable(groupId);
      const group = this.groups.get(groupId);
      if (unavailable !== null) results.push({ groupId, errorCode: unavailable });
      else if (!group || group.state === 'Dead') results.push({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
      else if (group.state !== 'Empty') results.push({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
      else {
        const tombstones: Array<{ key: Buffer; value: null }> = [{ key: encodeGroupKey(groupId), value: null }];
        for (const key of group.offsets.keys()) {
          const [topic, partition] = key.split('\u0000') as [string, string];
          tombstones.push({ key: encodeOffsetKey(groupId, topic, Number(partition)), value: null });
        }
        await this.store.append(this.partitionFor(groupId), tombstones);
        group.transition('Dead');
        this.groups.delete(groupId);
        results.push({ groupId, errorCode: ErrorCode.NONE });
      }
    }
    return results;
  }

  /** offsets.retention.minutes: offsets of empty groups older than the retention are removed. */
  async expireOffsets(): Promise<number> {
    const now = this.scheduler.now();
    let expired = 0;
    for (const group of this.groups.values()) {
      if (group.state !== 'Empty' || !this.ownsPartition(this.partitionFor(group.groupId))) continue;
      const tombstones: Array<{ key: Buffer; value: null }> = [];
      for (const [key, entry] of group.offsets) {
        if (now - entry.commitTimestamp < this.config.offsetsRetentionMs) continue;
        const [topic, partition] = key.split('\u0000') as [string, string];
        tombstones.push({ key: encodeOffsetKey(group.groupId, topic, Number(partition)), value: null });
      }
      if (tombstones.length === 0) continue;
      await this.store.append(this.partitionFor(group.groupId), tombstones);
      for (const tombstone of tombstones) {
        const key = decodeKey(tombstone.key);
        if (key.type === 'offset') group.offsets.delete(GroupMetadata.offsetKey(key.topic, key.partition));
      }
      expired += tombstones.length;
    }
    return expired;
  }

  startOffsetExpiry(intervalMs = 600_000): void {
    const run = () => {
      this.expiryTimer = this.scheduler.schedule(intervalMs, () => {
        void this.expireOffsets().catch((error) => this.log?.error({ err: error }, 'offset expiry failed')).finally(run);
      });
    };
    run();
  }

  /** A group's committed offsets, for lag metrics. */
  committedOffsets(groupId: string): Array<{ topic: string; partition: number; offset: number }> {
    return [...(this.groups.get(groupId)?.offsets ?? [])].map(([key, entry]) => {
      const [topic, partition] = key.split('\u0000') as [string, string];
      return { topic, partition: Number(partition), offset: entry.offset };
    });
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  private async persistGroup(group: GroupMetadata): Promise<void> {
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
        assignment: member.assignment,
      })),
    });
    await this.store.append(this.partitionFor(group.groupId), [{ key: encodeGroupKey(group.groupId), value }]);
  }

  async close(): Promise<void> {
    this.expiryTimer?.();
    for (const group of this.groups.values()) this.cancelTimers(group);
  }
}

function sameProtocols(a: Array<{ name: string; metadata: Buffer }>, b: Array<{ name: string; metadata: Buffer }>): boolean {
  return a.length === b.length && a.every((protocol, i) => protocol.name === b[i]!.name && protocol.metadata.equals(b[i]!.metadata));
}
