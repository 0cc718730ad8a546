import { ProtocolReader, ProtocolWriter } from '@tributary/common';

/**
 * The record formats of __consumer_offsets, byte for byte as Kafka writes them, so Kafka's own
 * tooling could read our topic: keys OffsetCommitKey (version 1) and GroupMetadataKey (version 2),
 * values OffsetCommitValue v3 (v1 when the commit carries its own expire timestamp, as Kafka
 * writes OffsetCommit v2-v4 retention times) and GroupMetadataValue v3. Strings are int16-length,
 * bytes int32-length, nullable strings use -1. Versions 0-3 are read; the flexible v4 is not.
 */
const RECORD = '__consumer_offsets record';

export type OffsetsKey =
  | { type: 'offset'; group: string; topic: string; partition: number }
  | { type: 'group'; group: string };

export interface OffsetCommitValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Only set by OffsetCommit v2-v4 with an explicit retention time; -1 otherwise. */
  expireTimestamp: number;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: StoredMember[];
}

export function encodeOffsetKey(group: string, topic: string, partition: number): Buffer {
  return new ProtocolWriter().int16(1).string(group).string(topic).int32(partition).done();
}

export function encodeGroupKey(group: string): Buffer {
  return new ProtocolWriter().int16(2).string(group).done();
}

export function decodeKey(buf: Buffer): OffsetsKey {
  const input = new ProtocolReader(buf, RECORD);
  const version = input.int16();
  if (version === 0 || version === 1) return { type: 'offset', group: input.string()!, topic: input.string()!, partition: input.int32() };
  if (version === 2) return { type: 'group', group: input.string()! };
  throw new Error(`unknown __consumer_offsets key version ${version}`);
}

export function encodeOffsetValue(value: OffsetCommitValue): Buffer {
  if (value.expireTimestamp >= 0) {
    return new ProtocolWriter().int16(1).int64(value.offset).string(value.metadata).int64(value.commitTimestamp).int64(value.expireTimestamp).done();
  }
  return new ProtocolWriter().int16(3).int64(value.offset).int32(value.leaderEpoch).string(value.metadata).int64(value.commitTimestamp).done();
}

export function decodeOffsetValue(buf: Buffer): OffsetCommitValue {
  const input = new ProtocolReader(buf, RECORD);
  const version = input.int16();
  if (version < 0 || version > 3) throw new Error(`unsupported OffsetCommitValue version ${version}`);
  const offset = input.int64();
  const leaderEpoch = version >= 3 ? input.int32() : -1;
  const metadata = input.string() ?? '';
  const commitTimestamp = input.int64();
  const expireTimestamp = version === 1 ? input.int64() : -1;
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

export function encodeGroupValue(value: GroupMetadataValue): Buffer {
  const out = new ProtocolWriter().int16(3).string(value.protocolType).int32(value.generation).string(value.protocol).string(value.leader).int64(value.currentStateTimestamp).int32(value.members.length);
  for (const member of value.members) {
    out.string(member.memberId).string(member.groupInstanceId).string(member.clientId).string(member.clientHost)
      .int32(member.rebalanceTimeoutMs).int32(member.sessionTimeoutMs).bytes(member.subscription).bytes(member.assignment);
  }
  return out.done();
}

export function decodeGroupValue(buf: Buffer): GroupMetadataValue {
  const input = new ProtocolReader(buf, RECORD);
  const version = input.int16();
  if (version < 0 || version > 3) throw new Error(`unsupported GroupMetadataValue version ${version}`);
  const protocolType = input.string() ?? '';
  const generation = input.int32();
  const protocol = input.string();
  const leader = input.string();
  const currentStateTimestamp = version >= 2 ? input.int64() : -1;
  const count = input.int32();
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = input.string()!;
    const groupInstanceId = version >= 3 ? input.string() : null;
    const clientId = input.string()!;
    const clientHost = input.string()!;
    const rebalanceTimeoutMs = version >= 1 ? input.int32() : -1;
    const sessionTimeoutMs = input.int32();
    const subscription = input.bytes() ?? Buffer.alloc(0);
    const assignment = input.bytes() ?? Buffer.alloc(0);
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs: rebalanceTimeoutMs < 0 ? sessionTimeoutMs : rebalanceTimeoutMs, sessionTimeoutMs, subscription, assignment });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

/**
 * The topics a consumer-protocol subscription names (ConsumerProtocolSubscription, any version),
 * or null when the bytes are not one.
 */
export function subscribedTopics(subscription: Buffer): string[] | null {
  try {
    const input = new ProtocolReader(subscription, 'consumer protocol subscription');
    if (input.int16() < 0) return null;
    const count = input.int32();
    if (count < 0) return null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) {
      const topic = input.string();
      if (topic === null) return null;
      topics.push(topic);
    }
    return topics;
  } catch {
    return null;
  }
}
