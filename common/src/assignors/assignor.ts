import type { TopicPartitions } from './consumer-protocol.ts';

/** A group member as an assignor sees it: what it subscribes to and (for sticky) what it owns. */
export interface AssignorMember {
  memberId: string;
  groupInstanceId?: string | null;
  topics: string[];
  ownedPartitions?: TopicPartitions[];
  /** The generation ownedPartitions belong to; claims from older generations are ignored. */
  generation?: number;
}

/** memberId -> topic -> partitions. */
export type Assignment = Map<string, Map<string, number[]>>;

export type Assignor = (members: AssignorMember[], partitionsPerTopic: Map<string, number>) => Assignment;

/** Kafka's RebalanceProtocol: whether members revoke everything before joining or only what moves. */
export type RebalanceProtocol = 'EAGER' | 'COOPERATIVE';

/** An assignor by its Kafka protocol name, answering with each member's partitions by topic. */
export interface PartitionAssignor {
  readonly name: string;
  readonly rebalanceProtocol: RebalanceProtocol;
  assign(members: AssignorMember[], partitionsPerTopic: Map<string, number>): Map<string, TopicPartitions[]>;
}

/** Kafka's MemberInfo order: static members first by instance id, then the rest by member id. */
export function memberOrder(a: AssignorMember, b: AssignorMember): number {
  const ai = a.groupInstanceId ?? null;
  const bi = b.groupInstanceId ?? null;
  if (ai !== null && bi !== null) return compareUtf16(ai, bi);
  if (ai !== null) return -1;
  if (bi !== null) return 1;
  return compareUtf16(a.memberId, b.memberId);
}

/** Java's String.compareTo order (UTF-16 code units), which is also JavaScript's. */
export function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The topics anyone subscribes to, in name order, with their partition counts. */
export function subscribedTopicCounts(members: AssignorMember[], partitionsPerTopic: Map<string, number>): Array<[string, number]> {
  const wanted = new Set(members.flatMap((member) => member.topics));
  return [...partitionsPerTopic].filter(([topic]) => wanted.has(topic)).sort(([a], [b]) => compareUtf16(a, b));
}

export function emptyAssignment(members: AssignorMember[]): Assignment {
  return new Map(members.map((member) => [member.memberId, new Map<string, number[]>()]));
}

export function addPartition(assignment: Assignment, memberId: string, topic: string, partition: number): void {
  const topics = assignment.get(memberId)!;
  const list = topics.get(topic) ?? [];
  list.push(partition);
  topics.set(topic, list);
}

export function countOf(assignment: Assignment, memberId: string): number {
  let total = 0;
  for (const partitions of assignment.get(memberId)?.values() ?? []) total += partitions.length;
  return total;
}

/** The PartitionAssignor answer: topics in name order, partitions ascending, empty lists left out. */
export function toMemberAssignments(assignment: Assignment): Map<string, TopicPartitions[]> {
  const out = new Map<string, TopicPartitions[]>();
  for (const [memberId, topics] of assignment) {
    out.set(
      memberId,
      [...topics]
        .filter(([, partitions]) => partitions.length > 0)
        .sort(([a], [b]) => compareUtf16(a, b))
        .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((x, y) => x - y) })),
    );
  }
  return out;
}

/** Sorted partition lists, so equal assignments compare equal. */
export function normalise(assignment: Assignment): Assignment {
  for (const topics of assignment.values()) for (const [topic, partitions] of topics) topics.set(topic, [...partitions].sort((a, b) => a - b));
  return assignment;
}
