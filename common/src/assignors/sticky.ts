import { addPartition, compareUtf16, emptyAssignment, memberOrder, normalise, subscribedTopicCounts, type Assignment, type AssignorMember, type Assignor } from './assignor.ts';

const DEFAULT_GENERATION = -1;

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * What each member may keep, by Kafka's AbstractStickyAssignor rules: only members of the highest
 * generation present keep claims; a partition two of them claim is kept by neither; claims on
 * topics no longer subscribed or partitions that no longer exist lapse.
 */
function validClaims(members: AssignorMember[], partitionsPerTopic: Map<string, number>): Map<string, string[]> {
  const generationOf = (member: AssignorMember) => member.generation ?? DEFAULT_GENERATION;
  const maxGeneration = Math.max(DEFAULT_GENERATION, ...members.map(generationOf));
  const claimedBy = new Map<string, string[]>();
  for (const member of members) {
    if (generationOf(member) !== maxGeneration) continue;
    for (const owned of member.ownedPartitions ?? []) {
      if (!member.topics.includes(owned.topic)) continue;
      const count = partitionsPerTopic.get(owned.topic) ?? 0;
      for (const partition of owned.partitions) {
        if (partition < 0 || partition >= count) continue;
        const key = keyOf(owned.topic, partition);
        const claimants = claimedBy.get(key) ?? [];
        if (!claimants.includes(member.memberId)) claimants.push(member.memberId);
        claimedBy.set(key, claimants);
      }
    }
  }
  const kept = new Map<string, string[]>(members.map((member) => [member.memberId, []]));
  for (const [key, claimants] of claimedBy) if (claimants.length === 1) kept.get(claimants[0]!)!.push(key);
  return kept;
}

/**
 * Kafka's StickyAssignor: a balanced assignment that keeps as many partitions where they were as
 * it can. Every member keeps its valid claims; the unowned partitions go one by one to the least
 * loaded member that subscribes to them; then partitions move from the most to the least loaded
 * eligible members, newly placed ones first, until no move narrows the spread. With identical
 * subscriptions this ends with counts differing by at most one.
 */
export const stickyAssignor: Assignor = (members, partitionsPerTopic) => {
  const sorted = [...members].sort(memberOrder);
  const rank = new Map(sorted.map((member, i) => [member.memberId, i]));
  const topicsOf = new Map(sorted.map((member) => [member.memberId, new Set(member.topics)]));
  const owner = new Map<string, string>();
  const held = new Map<string, Set<string>>(sorted.map((member) => [member.memberId, new Set<string>()]));
  const place = (key: string, memberId: string) => {
    const previous = owner.get(key);
    if (previous !== undefined) held.get(previous)!.delete(key);
    owner.set(key, memberId);
    held.get(memberId)!.add(key);
  };
  const claims = validClaims(sorted, partitionsPerTopic);
  for (const [memberId, keys] of claims) for (const key of keys) place(key, memberId);

  const partitionTopic = new Map<string, string>();
  const partitionNumber = new Map<string, number>();
  for (const [topic, count] of subscribedTopicCounts(sorted, partitionsPerTopic)) {
    const eligible = sorted.filter((member) => topicsOf.get(member.memberId)!.has(topic));
    for (let partition = 0; partition < count; partition++) {
      const key = keyOf(topic, partition);
      partitionTopic.set(key, topic);
      partitionNumber.set(key, partition);
      if (owner.has(key)) continue;
      const target = eligible.reduce((best, member) => (held.get(member.memberId)!.size < held.get(best.memberId)!.size ? member : best));
      place(key, target.memberId);
    }
  }

  const claimed = new Map([...claims].map(([memberId, keys]) => [memberId, new Set(keys)]));
  const byLoad = (a: AssignorMember, b: AssignorMember) => held.get(a.memberId)!.size - held.get(b.memberId)!.size || rank.get(a.memberId)! - rank.get(b.memberId)!;
  const movable = (memberId: string) =>
    [...held.get(memberId)!].sort((a, b) => {
      const aKept = claimed.get(memberId)!.has(a) ? 1 : 0;
      const bKept = claimed.get(memberId)!.has(b) ? 1 : 0;
      return aKept - bKept || compareUtf16(partitionTopic.get(b)!, partitionTopic.get(a)!) || partitionNumber.get(b)! - partitionNumber.get(a)!;
    });
  for (;;) {
    let moved = false;
    for (const source of [...sorted].sort((a, b) => byLoad(b, a))) {
      const load = held.get(source.memberId)!.size;
      for (const key of movable(source.memberId)) {
        const topic = partitionTopic.get(key)!;
        const target = sorted.filter((member) => topicsOf.get(member.memberId)!.has(topic) && held.get(member.memberId)!.size + 1 < load).sort(byLoad)[0];
        if (!target) continue;
        place(key, target.memberId);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) break;
  }

  const assignment = emptyAssignment(members);
  for (const [key, memberId] of owner) addPartition(assignment, memberId, partitionTopic.get(key)!, partitionNumber.get(key)!);
  return normalise(assignment);
};

/**
 * Kafka's CooperativeStickyAssignor: the sticky target, except that a partition another current
 * member still owns is left out of its new owner's assignment in this round. The old owner
 * revokes it, rejoins, and the next rebalance hands it over (incremental cooperative rebalancing).
 */
export const cooperativeStickyAssignor: Assignor = (members, partitionsPerTopic) => {
  const target = stickyAssignor(members, partitionsPerTopic);
  const ownersOf = new Map<string, Set<string>>();
  for (const member of members) {
    for (const owned of member.ownedPartitions ?? []) {
      for (const partition of owned.partitions) {
        const key = keyOf(owned.topic, partition);
        const owners = ownersOf.get(key) ?? new Set<string>();
        owners.add(member.memberId);
        ownersOf.set(key, owners);
      }
    }
  }
  const result: Assignment = emptyAssignment(members);
  for (const [memberId, topics] of target) {
    for (const [topic, partitions] of topics) {
      for (const partition of partitions) {
        const owners = ownersOf.get(keyOf(topic, partition));
        const ownedElsewhere = owners !== undefined && !owners.has(memberId) && owners.size > 0;
        if (!ownedElsewhere) addPartition(result, memberId, topic, partition);
      }
    }
  }
  return normalise(result);
};
