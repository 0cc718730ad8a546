import { ProtocolReader, ProtocolWriter } from './protocol-io.ts';

/** The "consumer" protocol type's embedded formats (ConsumerProtocolSubscription / Assignment, v0-v3). */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';
export const CONSUMER_PROTOCOL_VERSION = 3;

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface ConsumerProtocolSubscription {
  topics: string[];
  userData: Buffer | null;
  /** v1+ */
  ownedPartitions: TopicPartitions[];
  /** v2+; -1 when unknown. */
  generationId: number;
  /** v3+ */
  rackId: string | null;
}

export interface ConsumerProtocolAssignment {
  assignedPartitions: TopicPartitions[];
  userData: Buffer | null;
}

function writeTopicPartitions(out: ProtocolWriter, list: TopicPartitions[]): void {
  out.array(list, (entry) => {
    out.string(entry.topic);
    out.array(entry.partitions, (p) => out.int32(p));
  });
}

function readTopicPartitions(input: ProtocolReader): TopicPartitions[] {
  return input.array(() => ({ topic: input.requiredString(), partitions: input.array(() => input.int32()) }));
}

/** Encodes at the given version; fields the version lacks are left out. */
export function encodeSubscription(subscription: ConsumerProtocolSubscription, version = CONSUMER_PROTOCOL_VERSION): Buffer {
  if (version < 0 || version > CONSUMER_PROTOCOL_VERSION) throw new RangeError(`ConsumerProtocolSubscription version ${version} is not supported`);
  const out = new ProtocolWriter().int16(version);
  out.array(subscription.topics, (topic) => out.string(topic));
  out.bytes(subscription.userData);
  if (version >= 1) writeTopicPartitions(out, subscription.ownedPartitions);
  if (version >= 2) out.int32(subscription.generationId);
  if (version >= 3) out.string(subscription.rackId);
  return out.done();
}

/** Newer versions are read with the newest format we know, as Kafka's ConsumerProtocol does. */
export function decodeSubscription(buf: Buffer): ConsumerProtocolSubscription & { version: number } {
  const input = new ProtocolReader(buf);
  const version = input.int16();
  if (version < 0) throw new RangeError(`invalid ConsumerProtocolSubscription version ${version}`);
  const topics = input.array(() => input.requiredString());
  const userData = input.bytes();
  const ownedPartitions = version >= 1 ? readTopicPartitions(input) : [];
  const generationId = version >= 2 ? input.int32() : -1;
  const rackId = version >= 3 ? input.string() : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

export function encodeAssignment(assignment: ConsumerProtocolAssignment, version = CONSUMER_PROTOCOL_VERSION): Buffer {
  if (version < 0 || version > CONSUMER_PROTOCOL_VERSION) throw new RangeError(`ConsumerProtocolAssignment version ${version} is not supported`);
  const out = new ProtocolWriter().int16(version);
  writeTopicPartitions(out, assignment.assignedPartitions);
  out.bytes(assignment.userData);
  return out.done();
}

/** An empty buffer is an empty assignment (what the broker hands a member the leader left out). */
export function decodeAssignment(buf: Buffer): ConsumerProtocolAssignment & { version: number } {
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const input = new ProtocolReader(buf);
  const version = input.int16();
  if (version < 0) throw new RangeError(`invalid ConsumerProtocolAssignment version ${version}`);
  return { version, assignedPartitions: readTopicPartitions(input), userData: input.bytes() };
}
