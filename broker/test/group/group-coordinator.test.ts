import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCoordinator, DEFAULT_GROUP_CONFIG } from '../../src/group/group-coordinator.ts';
import { InMemoryGroupStore } from '../../src/group/group-store.ts';
import { ManualScheduler } from '../../src/group/scheduler.ts';
import { javaStringHashCode, partitionForGroup } from '../../src/group/group-partition.ts';
import { decodeGroupValue, decodeKey, decodeOffsetValue, encodeGroupKey, encodeGroupValue, encodeOffsetKey, encodeOffsetValue } from '../../src/group/offsets-records.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';

const config = { ...DEFAULT_GROUP_CONFIG, initialRebalanceDelayMs: 0 };

async function newCoordinator(store = new InMemoryGroupStore(), scheduler = new ManualScheduler()) {
  const coordinator = new GroupCoordinator(store, config, null, scheduler);
  for (let p = 0; p < config.numPartitions; p++) await coordinator.loadPartition(p);
  return { coordinator, store, scheduler };
}

const join = (c: GroupCoordinator, memberId: string, extra: Partial<Parameters<GroupCoordinator['joinGroup']>[0]> = {}) =>
  c.joinGroup({
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: true,
    ...extra,
  });

test("group partition matches Kafka's abs(String.hashCode) % 50", () => {
  assert.equal(javaStringHashCode(''), 0);
  assert.equal(javaStringHashCode('a'), 97);
  assert.equal(javaStringHashCode('group'), 98629247);
  assert.equal(partitionForGroup('group'), 98629247 % 50);
  assert.equal(partitionForGroup('polygenelubricants'), 0, 'hashCode is Integer.MIN_VALUE: Utils.abs maps it to 0');
});

test('MEMBER_ID_REQUIRED, join, leader gets the members, sync hands out assignments', async () => {
  const { coordinator } = await newCoordinator();
  const first = await join(coordinator, '');
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const joined = await join(coordinator, first.memberId);
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.equal(joined.leader, first.memberId);
  assert.equal(joined.members.length, 1);
  const synced = await coordinator.syncGroup({ groupId: 'g', generationId: joined.generationId, memberId: first.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: first.memberId, assignment: Buffer.from('all') }] });
  assert.equal(synced.assignment.toString(), 'all');
  assert.equal((await coordinator.heartbeat({ groupId: 'g', generationId: joined.generationId, memberId: first.memberId, groupInstanceId: null })).errorCode, ErrorCode.NONE);
});

test('a second member triggers a rebalance; a silent member is removed after its session timeout', async () => {
  const { coordinator, scheduler } = await newCoordinator();
  const a = (await join(coordinator, '', { requireKnownMemberId: false }));
  await coordinator.syncGroup({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
  const bJoin = join(coordinator, '', { requireKnownMemberId: false, clientId: 'b' });
  assert.equal((await coordinator.heartbeat({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null })).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const aAgain = await join(coordinator, a.memberId);
  const b = await bJoin;
  assert.equal(aAgain.generationId, a.generationId + 1);
  assert.equal(b.generationId, aAgain.generationId);
  await Promise.all([
    coordinator.syncGroup({ groupId: 'g', generationId: b.generationId, memberId: aAgain.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }),
    coordinator.syncGroup({ groupId: 'g', generationId: b.generationId, memberId: b.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }),
  ]);
  // Only b heartbeats; a goes silent and is dropped after its 10 s session.
  for (let i = 0; i < 12; i++) {
    scheduler.advance(1000);
    await coordinator.heartbeat({ groupId: 'g', generationId: b.generationId, memberId: b.memberId, groupInstanceId: null });
  }
  const [described] = await coordinator.describeGroups(['g']);
  assert.deepEqual(described!.members.map((m) => m.memberId), [b.memberId]);
  assert.equal(described!.groupState, 'PreparingRebalance');
});

test('a static member that restarts in time keeps its assignment without a rebalance', async () => {
  const { coordinator } = await newCoordinator();
  const first = await join(coordinator, '', { groupInstanceId: 'pod-1' });
  await coordinator.syncGroup({ groupId: 'g', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'pod-1', protocolType: null, protocolName: null, assignments: [{ memberId: first.memberId, assignment: Buffer.from('p0-p8') }] });
  const restarted = await join(coordinator, '', { groupInstanceId: 'pod-1' });
  assert.equal(restarted.errorCode, ErrorCode.NONE);
  assert.notEqual(restarted.memberId, first.memberId);
  assert.equal(restarted.generationId, first.generationId, 'no new generation');
  const synced = await coordinator.syncGroup({ groupId: 'g', generationId: restarted.generationId, memberId: restarted.memberId, groupInstanceId: 'pod-1', protocolType: null, protocolName: null, assignments: [] });
  assert.equal(synced.assignment.toString(), 'p0-p8');
  assert.equal((await coordinator.heartbeat({ groupId: 'g', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'pod-1' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'the old incarnation is fenced');
});

test('commits check generation and member; offsets and groups survive a reload from the store', async () => {
  const { coordinator, store } = await newCoordinator();
  const member = await join(coordinator, '', { requireKnownMemberId: false });
  await coordinator.syncGroup({ groupId: 'g', generationId: member.generationId, memberId: member.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
  const commit = (generationId: number, memberId: string) =>
    coordinator.commitOffsets({ groupId: 'g', generationId, memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 0, committedMetadata: 'm' }] }] });
  assert.equal((await commit(member.generationId + 5, member.memberId)).topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.equal((await commit(member.generationId, 'stranger')).topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await commit(member.generationId, member.memberId)).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  const reloaded = (await newCoordinator(store)).coordinator;
  const fetched = await reloaded.fetchOffsets({ groupId: 'g', topics: null });
  assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, 42);
  const [described] = await reloaded.describeGroups(['g']);
  assert.equal(described!.groupState, 'Stable');
  assert.equal(described!.members[0]!.memberId, member.memberId);
});

test('deleting a group needs it empty; offsets of empty groups expire after the retention', async () => {
  const scheduler = new ManualScheduler();
  const store = new InMemoryGroupStore();
  const c = new GroupCoordinator(store, { ...config, offsetsRetentionMs: 1000 }, null, scheduler);
  for (let p = 0; p < 50; p++) await c.loadPartition(p);
  await c.commitOffsets({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  scheduler.advance(2000);
  assert.equal(await c.expireOffsets(), 1);
  assert.equal((await c.fetchOffsets({ groupId: 'simple', topics: [{ name: 't', partitionIndexes: [0] }] })).topics[0]!.partitions[0]!.committedOffset, -1);
  const member = await c.joinGroup({ groupId: 'busy', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], clientId: 'c', clientHost: 'h', requireKnownMemberId: false });
  assert.deepEqual(await c.deleteGroups(['busy', 'missing']), [{ groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP }, { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  await c.leaveGroup({ groupId: 'busy', members: [{ memberId: member.memberId, groupInstanceId: null }] });
  assert.deepEqual(await c.deleteGroups(['busy']), [{ groupId: 'busy', errorCode: ErrorCode.NONE }]);
});

test('__consumer_offsets records round-trip in Kafka byte layout', () => {
  assert.equal(encodeOffsetKey('g', 't', 3).toString('hex'), '0001' + '0001' + '67' + '0001' + '74' + '00000003');
  assert.deepEqual(decodeKey(encodeOffsetKey('g', 't', 3)), { type: 'offset', group: 'g', topic: 't', partition: 3 });
  assert.deepEqual(decodeKey(encodeGroupKey('g')), { type: 'group', group: 'g' });
  const offset = { offset: 99, leaderEpoch: 2, metadata: 'x', commitTimestamp: 1234 };
  assert.deepEqual(decodeOffsetValue(encodeOffsetValue(offset)), offset);
  const group = { protocolType: 'consumer', generation: 4, protocol: 'range', leader: 'm1', currentStateTimestamp: 5, members: [{ memberId: 'm1', groupInstanceId: 'i', clientId: 'c', clientHost: 'h', rebalanceTimeoutMs: 1, sessionTimeoutMs: 2, subscription: Buffer.from('s'), assignment: Buffer.from('a') }] };
  assert.deepEqual(decodeGroupValue(encodeGroupValue(group)), group);
});
