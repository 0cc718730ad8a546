import { addPartition, emptyAssignment, memberOrder, normalise, subscribedTopicCounts, type Assignor } from './assignor.ts';

/**
 * Kafka's RangeAssignor: per topic, the subscribers in member order take consecutive ranges;
 * the first (partitions mod subscribers) of them take one extra.
 */
export const rangeAssignor: Assignor = (members, partitionsPerTopic) => {
  const assignment = emptyAssignment(members);
  for (const [topic, count] of subscribedTopicCounts(members, partitionsPerTopic)) {
    const subscribers = members.filter((member) => member.topics.includes(topic)).sort(memberOrder);
    const base = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((member, i) => {
      const start = base * i + Math.min(i, extra);
      const length = base + (i < extra ? 1 : 0);
      for (let p = start; p < start + length; p++) addPartition(assignment, member.memberId, topic, p);
    });
  }
  return normalise(assignment);
};
