import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { advanceUntil, heartbeatParams, isDone, joinParams, settle, startCoordinator, syncParams } from './coordinator-fixture.ts';

test('MEMBER_ID_REQUIRED: the first join hands out an id, the second joins with it', async () => {
  const { coordinator } = await startCoordinator();
  const first = await coordinator.joinGroup(joinParams(''));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, /^client-[0-9a-f-]{36}$/);
  const joined = await coordinator.joinGroup(joinParams(first.memberId));
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.equal(joined.memberId, first.memberId);
  assert.equal(joined.generationId, 1);
  assert.equal(joined.leader, first.memberId);
  assert.equal(joined.protocolName, 'range');
  assert.deepEqual(joined.members.map((m) => m.memberId), [first.memberId]);
  const synced = await coordinator.syncGroup(syncParams(first.memberId, 1, [{ memberId: first.memberId, assignment: Buffer.from('all') }]));
  assert.equal(synced.errorCode, ErrorCode.NONE);
  assert.equal(synced.assignment.toString(), 'all');
  assert.equal((await coordinator.heartbeat(heartbeatParams(first.memberId, 1))).errorCode, ErrorCode.NONE);
});

test('an unknown id that was never handed out is refused; a pending id expires after the session timeout', async () => {
  const { coordinator, scheduler } = await startCoordinator();
  assert.equal((await coordinator.joinGroup(joinParams('made-up'))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const pending = await coordinator.joinGroup(joinParams(''));
  scheduler.advance(10_001);
  assert.equal((await coordinator.joinGroup(joinParams(pending.memberId))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('three members join within the initial delay: one generation, the leader gets all metadata, sync hands out assignments', async () => {
  const { coordinator, scheduler } = await startCoordinator({ initialRebalanceDelayMs: 3000 });
  const ids = [];
  for (const name of ['a', 'b', 'c']) ids.push((await coordinator.joinGroup(joinParams('', { clientId: name }))).memberId);
  const joins = ids.map((id, i) => coordinator.joinGroup(joinParams(id, { clientId: ['a', 'b', 'c'][i]!, protocols: [{ name: 'range', metadata: Buffer.from(`sub-${i}`) }] })));
  assert.equal(await isDone(joins[0]!), false, 'the initial delay holds the join');
  const results = await advanceUntil(scheduler, Promise.all(joins));
  assert.ok(scheduler.now() >= 3000);
  const generation = results[0]!.generationId;
  assert.equal(generation, 1);
  const leader = results[0]!.leader;
  for (const result of results) {
    assert.equal(result.errorCode, ErrorCode.NONE);
    assert.equal(result.generationId, generation);
    assert.equal(result.leader, leader);
    assert.equal(result.members.length, result.memberId === leader ? 3 : 0);
  }
  const leaderResult = results.find((r) => r.memberId === leader)!;
  assert.deepEqual(leaderResult.members.map((m) => m.metadata.toString()).sort(), ['sub-0', 'sub-1', 'sub-2']);
  assert.equal((await coordinator.describeGroups(['g']))[0]!.groupState, 'CompletingRebalance');

  const followers = ids.filter((id) => id !== leader).map((id) => coordinator.syncGroup(syncParams(id, generation)));
  assert.equal(await isDone(followers[0]!), false, 'followers wait for the leader');
  const assignments = ids.map((id) => ({ memberId: id, assignment: Buffer.from(`for-${id}`) }));
  const leaderSync = await coordinator.syncGroup(syncParams(leader, generation, assignments));
  assert.equal(leaderSync.assignment.toString(), `for-${leader}`);
  for (const [i, id] of ids.filter((m) => m !== leader).entries()) assert.equal((await followers[i]!).assignment.toString(), `for-${id}`);
  const [described] = await coordinator.describeGroups(['g']);
  assert.equal(described!.groupState, 'Stable');
  assert.equal(described!.protocolData, 'range');
  assert.equal(described!.members.length, 3);
  assert.ok(described!.members.every((m) => m.memberAssignment.toString() === `for-${m.memberId}` && m.clientHost === '/127.0.0.1'));
});

async function stableGroupOfTwo() {
  const fixture = await startCoordinator();
  const { coordinator } = fixture;
  const a = await coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, clientId: 'a' }));
  await coordinator.syncGroup(syncParams(a.memberId, a.generationId));
  const bJoin = coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, clientId: 'b' }));
  assert.equal((await coordinator.heartbeat(heartbeatParams(a.memberId, a.generationId))).errorCode, ErrorCode.REBALANCE_IN_PROGRESS, 'a is told to rejoin');
  const aAgain = await coordinator.joinGroup(joinParams(a.memberId, { clientId: 'a' }));
  const b = await bJoin;
  assert.equal(aAgain.generationId, a.generationId + 1);
  assert.equal(b.generationId, aAgain.generationId);
  const generation = b.generationId;
  await Promise.all([coordinator.syncGroup(syncParams(a.memberId, generation)), coordinator.syncGroup(syncParams(b.memberId, generation))]);
  return { ...fixture, a: a.memberId, b: b.memberId, generation };
}

test('a member leaving starts a rebalance; the remaining member forms the next generation alone', async () => {
  const { coordinator, a, b, generation } = await stableGroupOfTwo();
  const left = await coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: b, groupInstanceId: null, reason: 'shutdown' }] });
  assert.deepEqual(left, { errorCode: ErrorCode.NONE, members: [{ memberId: b, groupInstanceId: null, errorCode: ErrorCode.NONE }] });
  assert.equal((await coordinator.heartbeat(heartbeatParams(a, generation))).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoined = await coordinator.joinGroup(joinParams(a));
  assert.equal(rejoined.generationId, generation + 1);
  assert.deepEqual(rejoined.members.map((m) => m.memberId), [a]);
  assert.equal((await coordinator.heartbeat(heartbeatParams(b, generation))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a silent member is removed after its session timeout and the group rebalances without it', async () => {
  const { coordinator, scheduler, a, b, generation } = await stableGroupOfTwo();
  for (let i = 0; i < 12; i++) {
    scheduler.advance(1000);
    assert.equal((await coordinator.heartbeat(heartbeatParams(b, generation))).errorCode, i < 9 ? ErrorCode.NONE : ErrorCode.REBALANCE_IN_PROGRESS);
  }
  const [described] = await coordinator.describeGroups(['g']);
  assert.deepEqual(described!.members.map((m) => m.memberId), [b]);
  assert.equal(described!.groupState, 'PreparingRebalance');
  assert.equal((await coordinator.heartbeat(heartbeatParams(a, generation))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const next = await coordinator.joinGroup(joinParams(b));
  assert.equal(next.generationId, generation + 1);
});

test('a member that does not rejoin within the rebalance timeout is dropped from the new generation', async () => {
  const { coordinator, scheduler, a, b, generation } = await stableGroupOfTwo();
  const aJoin = coordinator.joinGroup(joinParams(a, { protocols: [{ name: 'range', metadata: Buffer.from('changed') }] }));
  assert.equal(await isDone(aJoin), false);
  const result = await advanceUntil(scheduler, aJoin);
  assert.equal(result.generationId, generation + 1);
  assert.deepEqual(result.members.map((m) => m.memberId), [a]);
  assert.equal((await coordinator.heartbeat(heartbeatParams(b, generation))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('sync and heartbeat check generation and member', async () => {
  const { coordinator, a, generation } = await stableGroupOfTwo();
  assert.equal((await coordinator.syncGroup(syncParams(a, generation + 1))).errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.equal((await coordinator.syncGroup(syncParams('stranger', generation))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await coordinator.syncGroup({ ...syncParams(a, generation), protocolName: 'roundrobin' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await coordinator.heartbeat(heartbeatParams(a, generation - 1))).errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.equal((await coordinator.heartbeat({ ...heartbeatParams('x', generation), groupId: 'nope' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('join checks: session timeout bounds, protocol type and common protocol, group id, group size', async () => {
  const { coordinator } = await startCoordinator({ groupMaxSize: 2 });
  assert.equal((await coordinator.joinGroup(joinParams('', { sessionTimeoutMs: 5999 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await coordinator.joinGroup(joinParams('', { sessionTimeoutMs: 1_800_001 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await coordinator.joinGroup(joinParams('', { groupId: '' }))).errorCode, ErrorCode.INVALID_GROUP_ID);
  const a = await coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, protocols: [{ name: 'range', metadata: Buffer.alloc(0) }, { name: 'roundrobin', metadata: Buffer.alloc(0) }] }));
  assert.equal(a.errorCode, ErrorCode.NONE);
  assert.equal((await coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, protocolType: 'connect' }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  const second = coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }));
  assert.equal(await isDone(second), false, 'the second member waits for the first to rejoin');
  assert.equal((await coordinator.joinGroup(joinParams('', { requireKnownMemberId: false }))).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  assert.equal((await coordinator.joinGroup(joinParams(a.memberId, { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }))).protocolName, 'roundrobin');
  assert.equal((await second).errorCode, ErrorCode.NONE);
});

test('the protocol is chosen by vote among those every member supports', async () => {
  const { coordinator, scheduler } = await startCoordinator({ initialRebalanceDelayMs: 100 });
  const both = (first: string, second: string) => [{ name: first, metadata: Buffer.from(first) }, { name: second, metadata: Buffer.from(second) }];
  const joins = [
    coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, protocols: both('range', 'roundrobin') })),
    coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, protocols: both('roundrobin', 'range') })),
    coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, protocols: both('roundrobin', 'range') })),
  ];
  const results = await advanceUntil(scheduler, Promise.all(joins), 100);
  assert.ok(results.every((r) => r.protocolName === 'roundrobin'));
  const leader = results.find((r) => r.members.length > 0)!;
  assert.ok(leader.members.every((m) => m.metadata.toString() === 'roundrobin'), 'the leader sees the chosen protocol metadata');
});

test('a static member restarting keeps its assignment without a rebalance; the old incarnation is fenced', async () => {
  const { coordinator } = await startCoordinator();
  const first = await coordinator.joinGroup(joinParams('', { groupInstanceId: 'pod-1' }));
  assert.equal(first.errorCode, ErrorCode.NONE, 'static members skip MEMBER_ID_REQUIRED');
  assert.match(first.memberId, /^pod-1-/);
  const secondJoin = coordinator.joinGroup(joinParams('', { groupInstanceId: 'pod-2', clientId: 'other' }));
  const firstAgain = await coordinator.joinGroup(joinParams(first.memberId, { groupInstanceId: 'pod-1' }));
  const second = await secondJoin;
  const generation = second.generationId;
  assert.equal(firstAgain.generationId, generation);
  const leader = firstAgain.leader;
  const assignments = [{ memberId: first.memberId, assignment: Buffer.from('p0-p4') }, { memberId: second.memberId, assignment: Buffer.from('p5-p8') }];
  await Promise.all([
    coordinator.syncGroup(syncParams(first.memberId, generation, leader === first.memberId ? assignments : [], 'pod-1')),
    coordinator.syncGroup(syncParams(second.memberId, generation, leader === second.memberId ? assignments : [], 'pod-2')),
  ]);

  const restarted = await coordinator.joinGroup(joinParams('', { groupInstanceId: 'pod-1' }));
  assert.equal(restarted.errorCode, ErrorCode.NONE);
  assert.notEqual(restarted.memberId, first.memberId);
  assert.equal(restarted.generationId, generation, 'no new generation');
  assert.equal(restarted.skipAssignment, restarted.memberId === restarted.leader);
  assert.equal((await coordinator.describeGroups(['g']))[0]!.groupState, 'Stable');
  const synced = await coordinator.syncGroup(syncParams(restarted.memberId, generation, [], 'pod-1'));
  assert.equal(synced.assignment.toString(), 'p0-p4');
  assert.equal((await coordinator.heartbeat(heartbeatParams(second.memberId, generation, 'pod-2'))).errorCode, ErrorCode.NONE, 'the other member carries on');
  assert.equal((await coordinator.heartbeat(heartbeatParams(first.memberId, generation, 'pod-1'))).errorCode, ErrorCode.FENCED_INSTANCE_ID);
  assert.equal((await coordinator.joinGroup(joinParams(first.memberId, { groupInstanceId: 'pod-1' }))).errorCode, ErrorCode.FENCED_INSTANCE_ID);
});

test('a static member that misses a rebalance keeps its place until its session expires', async () => {
  const { coordinator, scheduler } = await startCoordinator();
  const s = await coordinator.joinGroup(joinParams('', { groupInstanceId: 'pod-1', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 5_000 }));
  await coordinator.syncGroup(syncParams(s.memberId, s.generationId, [], 'pod-1'));
  const d = coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, clientId: 'dynamic', rebalanceTimeoutMs: 5_000 }));
  const joined = await advanceUntil(scheduler, d, 500);
  assert.equal(joined.generationId, s.generationId + 1);
  assert.deepEqual(joined.members.map((m) => m.memberId).sort(), [joined.memberId, s.memberId].sort(), 'the static member is still listed');
  await coordinator.syncGroup(syncParams(joined.memberId, joined.generationId));
  scheduler.advance(30_000);
  await settle();
  const [described] = await coordinator.describeGroups(['g']);
  assert.ok(!described!.members.some((m) => m.memberId === s.memberId), 'removed once its session expired');
});

test('leaving by group instance id (KIP-345 batch) and unknown members in a batch', async () => {
  const { coordinator } = await startCoordinator();
  const s = await coordinator.joinGroup(joinParams('', { groupInstanceId: 'pod-1' }));
  await coordinator.syncGroup(syncParams(s.memberId, s.generationId, [], 'pod-1'));
  const result = await coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: '', groupInstanceId: 'pod-1' }, { memberId: 'ghost', groupInstanceId: null }, { memberId: '', groupInstanceId: 'pod-9' }] });
  assert.deepEqual(result.members.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID]);
  await settle();
  const [described] = await coordinator.describeGroups(['g']);
  assert.equal(described!.groupState, 'Empty');
  assert.equal(described!.members.length, 0);
});

test('a follower that never syncs is removed after the rebalance timeout', async () => {
  const { coordinator, scheduler } = await startCoordinator({ initialRebalanceDelayMs: 100 });
  const joins = [coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, clientId: 'a' })), coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, clientId: 'b' }))];
  const [a, b] = await advanceUntil(scheduler, Promise.all(joins), 100);
  const leader = a!.leader;
  const follower = [a!, b!].find((r) => r.memberId !== leader)!;
  await coordinator.syncGroup(syncParams(leader, a!.generationId));
  for (let t = 0; t < 21; t++) {
    scheduler.advance(1000);
    await coordinator.heartbeat(heartbeatParams(leader, a!.generationId));
  }
  const [described] = await coordinator.describeGroups(['g']);
  assert.ok(!described!.members.some((m) => m.memberId === follower.memberId));
  assert.equal(described!.groupState, 'PreparingRebalance');
});

test('requests for a partition that is loading get COORDINATOR_LOAD_IN_PROGRESS; unowned ones NOT_COORDINATOR', async () => {
  const { coordinator, store } = await startCoordinator();
  coordinator.unloadPartition(coordinator.partitionFor('g'));
  assert.equal((await coordinator.joinGroup(joinParams(''))).errorCode, ErrorCode.NOT_COORDINATOR);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const slowStore = {
    append: store.append.bind(store),
    async *load(partition: number) {
      await gate;
      yield* store.load(partition);
    },
  };
  const { GroupCoordinator } = await import('../../src/group/group-coordinator.ts');
  const loading = new GroupCoordinator(slowStore, { numPartitions: 4 });
  const loaded = loading.loadPartition(loading.partitionFor('g'));
  assert.equal((await loading.joinGroup(joinParams(''))).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.equal((await loading.fetchOffsets({ groupId: 'g', topics: null })).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.equal((await loading.listGroups()).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  release();
  await loaded;
  assert.equal((await loading.joinGroup(joinParams(''))).errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  await loading.close();
});

test('listGroups filters by state; describe of an unknown group reports Dead', async () => {
  const { coordinator } = await startCoordinator();
  const a = await coordinator.joinGroup(joinParams('', { requireKnownMemberId: false }));
  await coordinator.syncGroup(syncParams(a.memberId, a.generationId));
  await coordinator.commitOffsets({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  const all = await coordinator.listGroups();
  assert.deepEqual(all.groups.map((g) => [g.groupId, g.groupState, g.protocolType]).sort(), [['g', 'Stable', 'consumer'], ['simple', 'Empty', '']]);
  assert.deepEqual((await coordinator.listGroups(['stable'])).groups.map((g) => g.groupId), ['g']);
  assert.deepEqual(await coordinator.describeGroups(['missing']), [{ errorCode: ErrorCode.NONE, groupId: 'missing', groupState: 'Dead', protocolType: '', protocolData: '', members: [] }]);
});
