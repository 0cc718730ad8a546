import { decodeAssignment } from '@tributary/common';
import type { ConsoleSources } from './types.ts';

export interface GroupPartitionLag {
  topic: string;
  partition: number;
  committedOffset: number;
  /** What a consumer can reach: the partition's high watermark (null when not hosted here). */
  endOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  /** The member that has the partition assigned, when the group is Stable. */
  memberId: string | null;
}

export interface GroupView {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; assignment: Array<{ topic: string; partitions: number[] }> }>;
  partitions: GroupPartitionLag[];
  totalLag: number;
}

function assignmentOf(protocolType: string, buffer: Buffer): Array<{ topic: string; partitions: number[] }> {
  if (protocolType !== 'consumer' || buffer.length === 0) return [];
  try {
    return decodeAssignment(buffer).assignedPartitions.map((entry) => ({ topic: entry.topic, partitions: [...entry.partitions].sort((a, b) => a - b) }));
  } catch {
    return [];
  }
}

/** Committed offsets against the partitions' ends, per partition; lag as /metrics reports it. */
export function groupLags(sources: ConsoleSources, groupId: string): GroupPartitionLag[] {
  return sources.groupCoordinator
    .committedOffsets(groupId)
    .map(({ topic, partition, offset }) => {
      const hosted = sources.replicaManager.partition(topic, partition);
      const endOffset = hosted ? hosted.highWatermark : null;
      return {
        topic,
        partition,
        committedOffset: offset,
        endOffset,
        logEndOffset: hosted ? hosted.log.logEndOffset : null,
        lag: endOffset === null ? null : Math.max(0, endOffset - offset),
        memberId: null,
      };
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export function totalLag(partitions: GroupPartitionLag[]): number {
  return partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0);
}

/** The groups this broker coordinates: state, members with their assignments, lag per partition. */
export async function listGroups(sources: ConsoleSources): Promise<GroupView[]> {
  const ids = sources.groupCoordinator.groupIds().sort();
  const described = await sources.groupCoordinator.describeGroups(ids);
  const views: GroupView[] = [];
  for (const group of described) {
    const partitions = groupLags(sources, group.groupId);
    if (group.errorCode !== 0 || (group.groupState === 'Dead' && partitions.length === 0)) continue;
    const members = group.members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      assignment: assignmentOf(group.protocolType, member.memberAssignment),
    }));
    const owner = new Map<string, string>();
    for (const member of members) for (const { topic, partitions: ps } of member.assignment) for (const p of ps) owner.set(`${topic}\u0000${p}`, member.memberId);
    for (const entry of partitions) entry.memberId = owner.get(`${entry.topic}\u0000${entry.partition}`) ?? null;
    views.push({ groupId: group.groupId, state: group.groupState, protocolType: group.protocolType, protocol: group.protocolData, members, partitions, totalLag: totalLag(partitions) });
  }
  return views;
}
