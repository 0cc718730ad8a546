import type { GroupPartitionsAssigner, GroupPartitionsAssignments } from '@platformatic/kafka';
import type { Assignment, Assignor } from '../assignors/assignor.ts';

/**
 * Plugs one of our assignors into @platformatic/kafka's consumer (its `partitionAssigner`
 * option). The leader remembers the assignment it handed out last, which is what the sticky
 * assignors need as "owned partitions".
 */
export function platformaticAssigner(assignor: Assignor): GroupPartitionsAssigner {
  let previous: Assignment = new Map();
  return (_current, members, topics, metadata) => {
    const partitionsPerTopic = new Map<string, number>();
    for (const topic of topics) partitionsPerTopic.set(topic, metadata.topics.get(topic)?.partitionsCount ?? 0);
    const assignment = assignor(
      [...members.entries()].map(([memberId, subscription]) => ({
        memberId,
        topics: subscription.topics ?? [...topics],
        ownedPartitions: [...(previous.get(memberId) ?? new Map<string, number[]>())].map(([topic, partitions]) => ({ topic, partitions })),
      })),
      partitionsPerTopic,
    );
    previous = assignment;
    const result: GroupPartitionsAssignments[] = [];
    for (const [memberId, byTopic] of assignment) {
      result.push({ memberId, assignments: new Map([...byTopic].map(([topic, partitions]) => [topic, { topic, partitions }])) });
    }
    return result;
  };
}
