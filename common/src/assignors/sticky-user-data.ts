import type { TopicPartitions } from './consumer-protocol.ts';
import { ProtocolReader, ProtocolWriter } from './protocol-io.ts';

/**
 * The eager StickyAssignor's subscription userData (Kafka's StickyAssignor schema V1:
 * previous_assignment [topic, partitions[]], generation int32; V0 lacks the generation). Eager
 * members revoke everything before joining, so this is where they say what they owned.
 */
export interface StickyUserData {
  previousAssignment: TopicPartitions[];
  /** null for V0 data. */
  generation: number | null;
}

export function encodeStickyUserData(data: StickyUserData): Buffer {
  const out = new ProtocolWriter();
  out.array(data.previousAssignment, (entry) => {
    out.string(entry.topic);
    out.array(entry.partitions, (p) => out.int32(p));
  });
  if (data.generation !== null) out.int32(data.generation);
  return out.done();
}

export function decodeStickyUserData(buf: Buffer): StickyUserData {
  const input = new ProtocolReader(buf);
  const previousAssignment = input.array(() => ({ topic: input.requiredString(), partitions: input.array(() => input.int32()) }));
  const generation = input.remaining() >= 4 ? input.int32() : null;
  return { previousAssignment, generation };
}
