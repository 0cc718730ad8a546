import { toMemberAssignments, type Assignor, type AssignorMember, type PartitionAssignor, type RebalanceProtocol } from './assignor.ts';
import type { ConsumerProtocolSubscription } from './consumer-protocol.ts';
import { rangeAssignor } from './range.ts';
import { roundRobinAssignor } from './round-robin.ts';
import { cooperativeStickyAssignor, stickyAssignor } from './sticky.ts';
import { decodeStickyUserData } from './sticky-user-data.ts';

function named(name: string, rebalanceProtocol: RebalanceProtocol, assignor: Assignor): PartitionAssignor {
  return { name, rebalanceProtocol, assign: (members, partitionsPerTopic) => toMemberAssignments(assignor(members, partitionsPerTopic)) };
}

/** The assignors by the protocol names Kafka's clients put in JoinGroup. */
export const PARTITION_ASSIGNORS: ReadonlyMap<string, PartitionAssignor> = new Map([
  ['range', named('range', 'EAGER', rangeAssignor)],
  ['roundrobin', named('roundrobin', 'EAGER', roundRobinAssignor)],
  ['sticky', named('sticky', 'EAGER', stickyAssignor)],
  ['cooperative-sticky', named('cooperative-sticky', 'COOPERATIVE', cooperativeStickyAssignor)],
]);

export function partitionAssignor(name: string): PartitionAssignor {
  const assignor = PARTITION_ASSIGNORS.get(name);
  if (!assignor) throw new Error(`unknown partition assignor "${name}" (known: ${[...PARTITION_ASSIGNORS.keys()].join(', ')})`);
  return assignor;
}

/**
 * A member as the leader's assignor sees it, from its decoded subscription: eager sticky members
 * carry what they owned in the StickyAssignor userData (they revoked it all before joining),
 * cooperative ones in ownedPartitions with the subscription's generation.
 */
export function assignorMember(memberId: string, groupInstanceId: string | null, subscription: ConsumerProtocolSubscription, assignorName: string): AssignorMember {
  const member: AssignorMember = { memberId, groupInstanceId, topics: subscription.topics, ownedPartitions: subscription.ownedPartitions, generation: subscription.generationId };
  if (assignorName === 'sticky' && subscription.userData !== null && subscription.userData.length > 0) {
    const userData = decodeStickyUserData(subscription.userData);
    member.ownedPartitions = userData.previousAssignment;
    member.generation = userData.generation ?? -1;
  }
  return member;
}
