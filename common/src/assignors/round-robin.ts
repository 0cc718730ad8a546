import { addPartition, emptyAssignment, memberOrder, normalise, subscribedTopicCounts, type Assignor } from './assignor.ts';

/**
 * Kafka's RoundRobinAssignor: all subscribed partitions in topic order dealt to the members in
 * member order, a circular iterator skipping members that do not subscribe to the topic.
 */
export const roundRobinAssignor: Assignor = (members, partitionsPerTopic) => {
  const assignment = emptyAssignment(members);
  const sorted = [...members].sort(memberOrder);
  let cursor = 0;
  for (const [topic, count] of subscribedTopicCounts(members, partitionsPerTopic)) {
    for (let partition = 0; partition < count; partition++) {
      while (!sorted[cursor % sorted.length]!.topics.includes(topic)) cursor++;
      addPartition(assignment, sorted[cursor % sorted.length]!.memberId, topic, partition);
      cursor++;
    }
  }
  return normalise(assignment);
};
