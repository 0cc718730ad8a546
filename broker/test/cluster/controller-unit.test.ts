import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignReplicas } from '../../src/controller/replica-placement.ts';
import { decideElection, electLeader, preferredLeaderMove } from '../../src/controller/leader-election.ts';
import { decodeEpochCheckpoint, encodeEpochCheckpoint, LeaderEpochCache } from '../../src/log/leader-epoch-cache.ts';
import { decodeLeaderAndIsr, decodeTopicAssignment, encodeLeaderAndIsr, encodeTopicAssignment } from '../../src/zookeeper/zk-data.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const brokers = (n: number, racks?: string[]) => Array.from({ length: n }, (_, i) => ({ brokerId: i + 1, rack: racks ? racks[i % racks.length]! : null }));

test('replica placement spreads preferred leaders and replicas evenly, never two replicas on one broker', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), (n, partitions, start, shift) => {
      const rf = Math.min(n, 3);
      const plan = assignReplicas(brokers(n), partitions, rf, { startIndex: start % n, shift });
      const leaders = new Map<number, number>();
      const replicas = new Map<number, number>();
      for (const list of plan) {
        assert.equal(new Set(list).size, rf);
        leaders.set(list[0]!, (leaders.get(list[0]!) ?? 0) + 1);
        for (const id of list) replicas.set(id, (replicas.get(id) ?? 0) + 1);
      }
      const counts = [...leaders.values()];
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1 || leaders.size < n, `leaders ${JSON.stringify([...leaders])}`);
    }),
  );
  const plan = assignReplicas(brokers(3), 6, 3, { startIndex: 0, shift: 0 });
  assert.deepEqual(plan.map((list) => list[0]).sort(), [1, 1, 2, 2, 3, 3]);
});

test('rack-aware placement puts the replicas of a partition on different racks', () => {
  const plan = assignReplicas(brokers(6, ['a', 'b', 'c']), 12, 3, { startIndex: 0, shift: 0 });
  const rackOf = (id: number) => ['a', 'b', 'c'][(id - 1) % 3];
  for (const list of plan) assert.equal(new Set(list.map(rackOf)).size, 3, JSON.stringify(list));
  assert.throws(() => assignReplicas(brokers(2), 1, 3), /replication factor 3 is larger than the 2 available brokers/);
});

test('leader election takes the first live ISR replica; without one the partition goes offline unless unclean election is on', () => {
  const live = new Set([2, 3]);
  assert.deepEqual(electLeader({ replicas: [1, 2, 3], leader: 1, isr: [1, 3] }, live, { unclean: false }), { leader: 3, isr: [3] });
  assert.deepEqual(electLeader({ replicas: [1, 2, 3], leader: 1, isr: [1] }, live, { unclean: false }), { leader: -1, isr: [1] });
  assert.deepEqual(electLeader({ replicas: [1, 2, 3], leader: 1, isr: [1] }, live, { unclean: true }), { leader: 2, isr: [2] });
  assert.deepEqual(electLeader({ replicas: [1, 2, 3], leader: 2, isr: [1, 2, 3] }, new Set([1, 2, 3]), { unclean: false, exclude: 2 }), { leader: 1, isr: [1, 3] });
  assert.deepEqual(preferredLeaderMove({ replicas: [1, 2, 3], leader: 2, isr: [2, 1] }, new Set([1, 2, 3])), { leader: 1, isr: [2, 1] });
  assert.equal(preferredLeaderMove({ replicas: [1, 2, 3], leader: 2, isr: [2, 3] }, new Set([1, 2, 3])), null);
});

test('leader epoch cache: end offsets per epoch as Kafka answers OffsetForLeaderEpoch, truncation, checkpoint round trip', () => {
  const cache = new LeaderEpochCache(mkdtempSync(join(tmpdir(), 'epochs-')));
  cache.assign(0, 0);
  cache.assign(2, 100);
  cache.assign(1, 50);
  cache.assign(5, 180);
  assert.deepEqual(cache.all, [{ epoch: 0, startOffset: 0 }, { epoch: 2, startOffset: 100 }, { epoch: 5, startOffset: 180 }]);
  assert.deepEqual(cache.endOffsetFor(5, 250), { epoch: 5, endOffset: 250 });
  assert.deepEqual(cache.endOffsetFor(0, 250), { epoch: 0, endOffset: 100 });
  assert.deepEqual(cache.endOffsetFor(3, 250), { epoch: 2, endOffset: 180 });
  assert.deepEqual(cache.endOffsetFor(9, 250), { epoch: -1, endOffset: -1 });
  cache.truncateFromEnd(150);
  assert.equal(cache.latestEpoch, 2);
  assert.deepEqual(decodeEpochCheckpoint(encodeEpochCheckpoint(cache.all)), cache.all);
});

test('ZooKeeper node codecs round-trip in Kafka\'s JSON shapes', () => {
  const state = { leader: 2, leaderEpoch: 7, isr: [2, 3], controllerEpoch: 4 };
  assert.deepEqual(decodeLeaderAndIsr(encodeLeaderAndIsr(state)), state);
  assert.deepEqual(JSON.parse(encodeLeaderAndIsr(state).toString()), { version: 1, leader: 2, leader_epoch: 7, isr: [2, 3], controller_epoch: 4 });
  const assignment = { topicId: 'ab'.repeat(16), partitions: new Map([[0, [1, 2]], [1, [2, 3]]]), addingReplicas: new Map([[1, [3]]]), removingReplicas: new Map() };
  assert.deepEqual(decodeTopicAssignment(encodeTopicAssignment(assignment)), assignment);
});

test('ElectLeaders decisions: preferred moves only to a live in-sync first replica; unclean only revives a leaderless partition', () => {
  const live = new Set([1, 2, 3]);
  assert.deepEqual(decideElection('preferred', { replicas: [1, 2, 3], leader: 2, isr: [1, 2, 3] }, live), { move: { leader: 1, isr: [1, 2, 3] } });
  assert.equal((decideElection('preferred', { replicas: [1, 2, 3], leader: 1, isr: [1, 2, 3] }, live) as { refused: string }).refused, 'ELECTION_NOT_NEEDED');
  assert.equal((decideElection('preferred', { replicas: [1, 2, 3], leader: 2, isr: [2, 3] }, live) as { refused: string }).refused, 'PREFERRED_LEADER_NOT_AVAILABLE');
  assert.equal((decideElection('preferred', { replicas: [4, 2], leader: 2, isr: [2, 4] }, live) as { refused: string }).refused, 'PREFERRED_LEADER_NOT_AVAILABLE');
  assert.equal((decideElection('unclean', { replicas: [1, 2], leader: 1, isr: [1] }, live) as { refused: string }).refused, 'ELECTION_NOT_NEEDED');
  assert.deepEqual(decideElection('unclean', { replicas: [4, 2], leader: -1, isr: [4] }, live), { move: { leader: 2, isr: [2] } });
  assert.deepEqual(decideElection('unclean', { replicas: [4, 2, 3], leader: -1, isr: [4, 3] }, live), { move: { leader: 3, isr: [3] } }, 'an ISR replica wins over an out-of-sync one');
  assert.equal((decideElection('unclean', { replicas: [4, 5], leader: -1, isr: [4] }, live) as { refused: string }).refused, 'ELIGIBLE_LEADERS_NOT_AVAILABLE');
});
