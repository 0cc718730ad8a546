/** A group member as an assignor sees it: what it subscribes to and (for sticky) what it owns. */
export interface AssignorMember {
  memberId: string;
  topics: string[];
  ownedPartitions?: Array<{ topic: string; partitions: number[] }>;
}

/** memberId -> topic -> partitions. */
export type Assignment = Map<string, Map<string, number[]>>;

export type Assignor = (members: AssignorMember[], partitionsPerTopic: Map<string, number>) => Assignment;

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

/** Sorted partition lists, so equal assignments compare equal. */
export function normalise(assignment: Assignment): Assignment {
  for (const topics of assignment.values()) for (const [topic, partitions] of topics) topics.set(topic, [...partitions].sort((a, b) => a - b));
  return assignment;
}

export const byMemberId = (a: AssignorMember, b: AssignorMember) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);
