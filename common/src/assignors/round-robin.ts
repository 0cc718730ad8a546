import { addPartition, byMemberId, emptyAssignment, normalise, type Assignor } from './assignor.ts';

/** Kafka's RoundRobinAssignor: all partitions in topic order dealt to members in turn. */
export const roundRobinAssignor: Assignor = (members, partitionsPerTopic) => {
  const assignment = emptyAssignment(members);
  const sorted = [...members].sort(byMemberId);
  if (sorted.length === 0) return assignment;
  let cursor = 0;
  for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let partition = 0; partition < count; partition++) {
      // Skip members that do not subscribe to this topic, as Kafka's circular iterator does.
      for (let tried = 0; tried < sorted.length; tried++) {
        const member = sorted[cursor++ % sorted.length]!;
        if (member.topics.includes(topic)) {
          addPartition(assignment, member.memberId, topic, partition);
          break;
        }
      }
    }
  }
  return normalise(assignment);
};
