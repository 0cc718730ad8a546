import { addPartition, byMemberId, countOf, emptyAssignment, normalise, type Assignment, type AssignorMember, type Assignor } from './assignor.ts';

/**
 * Kafka's StickyAssignor idea: keep every partition a member still may own, then balance by
 * moving as few partitions as possible. Members keep what they had up to their fair share; the
 * rest (new, orphaned, or over-share partitions) go to the least loaded eligible member.
 */
export const stickyAssignor: Assignor = (members, partitionsPerTopic) => {
  const assignment = emptyAssignment(members);
  const sorted = [...members].sort(byMemberId);
  const all: Array<[string, number]> = [];
  for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : 1))) for (let p = 0; p < count; p++) all.push([topic, p]);
  const subscribed = (member: AssignorMember, topic: string) => member.topics.includes(topic);
  const eligible = all.filter(([topic]) => sorted.some((member) => subscribed(member, topic)));
  // Quotas as in Kafka's constrained assignment: everyone gets at least floor(P/M); only
  // P mod M members may hold one more, so the result is balanced within one partition.
  const minQuota = Math.floor(eligible.length / Math.max(1, sorted.length));
  let extraSlots = eligible.length - minQuota * sorted.length;
  const claimed = new Set<string>();
  const keep = (member: AssignorMember, limit: () => number) => {
    for (const owned of member.ownedPartitions ?? []) {
      if (!subscribed(member, owned.topic)) continue;
      for (const partition of [...owned.partitions].sort((a, b) => a - b)) {
        const key = `${owned.topic}:${partition}`;
        if (partition >= (partitionsPerTopic.get(owned.topic) ?? 0) || claimed.has(key) || countOf(assignment, member.memberId) >= limit()) continue;
        claimed.add(key);
        addPartition(assignment, member.memberId, owned.topic, partition);
      }
    }
  };
  for (const member of sorted) keep(member, () => minQuota);
  for (const member of sorted) {
    if (extraSlots <= 0) break;
    const before = countOf(assignment, member.memberId);
    keep(member, () => minQuota + 1);
    if (countOf(assignment, member.memberId) > before) extraSlots--;
  }
  for (const [topic, partition] of eligible) {
    if (claimed.has(`${topic}:${partition}`)) continue;
    const target = sorted
      .filter((member) => subscribed(member, topic))
      .reduce((best, member) => (countOf(assignment, member.memberId) < countOf(assignment, best.memberId) ? member : best));
    addPartition(assignment, target.memberId, topic, partition);
  }
  return normalise(assignment);
};

/**
 * Kafka's CooperativeStickyAssignor: the sticky target, but a partition that changes owner is
 * only taken from its old owner in this round; the new owner gets it in the next rebalance,
 * after the old one has revoked it (incremental cooperative rebalancing).
 */
export const cooperativeStickyAssignor: Assignor = (members, partitionsPerTopic) => {
  const target = stickyAssignor(members, partitionsPerTopic);
  const owner = new Map<string, string>();
  for (const member of members) for (const owned of member.ownedPartitions ?? []) for (const p of owned.partitions) owner.set(`${owned.topic}:${p}`, member.memberId);
  const result: Assignment = emptyAssignment(members);
  for (const [memberId, topics] of target) {
    for (const [topic, partitions] of topics) {
      for (const partition of partitions) {
        const previous = owner.get(`${topic}:${partition}`);
        if (previous !== undefined && previous !== memberId && members.some((m) => m.memberId === previous)) continue;
        addPartition(result, memberId, topic, partition);
      }
    }
  }
  return normalise(result);
};
