import { addPartition, byMemberId, emptyAssignment, normalise, type Assignor } from './assignor.ts';

/** Kafka's RangeAssignor: per topic, consecutive ranges; the first members get one extra. */
export const rangeAssignor: Assignor = (members, partitionsPerTopic) => {
  const assignment = emptyAssignment(members);
  for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const subscribers = members.filter((member) => member.topics.includes(topic)).sort(byMemberId);
    if (subscribers.length === 0) continue;
    const base = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((member, i) => {
      const take = base + (i < extra ? 1 : 0);
      for (let p = 0; p < take; p++) addPartition(assignment, member.memberId, topic, next++);
    });
  }
  return normalise(assignment);
};
