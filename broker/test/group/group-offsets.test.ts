import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCoordinator, type CommitParams } from '../../src/group/group-coordinator.ts';
import { InMemoryGroupStore } from '../../src/group/group-store.ts';
import { decodeKey } from '../../src/group/offsets-records.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { advanceUntil, isDone, joinParams, PARTITIONS, settle, startCoordinator, syncParams } from './coordinator-fixture.ts';

const DAY = 24 * 3600 * 1000;

function commit(groupId: string, generationId: number, memberId: string, offsets: Record<string, number>, extra: Partial<CommitParams> = {}): CommitParams {
  const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }>>();
  for (const [key, offset] of Object.entries(offsets)) {
    const [topic, partition] = key.split(':') as [string, string];
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partitionIndex: Number(partition), committedOffset: offset, committedLeaderEpoch: 3, committedMetadata: 'meta' }]);
  }
  return { groupId, generationId, memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })), ...extra };
}

const errorsOf = (result: { topics: Array<{ partitions: Array<{ errorCode: number }> }> }) => result.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

/** A ConsumerProtocolSubscription v0 naming the topics, as a Java consumer sends it. */
function subscription(...topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1]!.writeInt32BE(topics.length);
  for (const topic of topics) {
    const length = Buffer.alloc(2);
    length.writeInt16BE(Buffer.byteLength(topic));
    parts.push(length, Buffer.from(topic));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  return Buffer.concat(parts);
}

async function stableMember(coordinator: GroupCoordinator, topics = ['t'], sessionTimeoutMs = 10_000) {
  const joined = await coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, sessionTimeoutMs, protocols: [{ name: 'range', metadata: subscription(...topics) }] }));
  await coordinator.syncGroup(syncParams(joined.memberId, joined.generationId, [{ memberId: joined.memberId, assignment: Buffer.from('a') }]));
  return joined;
}

test('commits check member, generation and state', async () => {
  const { coordinator } = await startCoordinator({ offsetMetadataMaxBytes: 10 });
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(commit('g', 1, 'nobody', { 't:0': 1 }))), [ErrorCode.ILLEGAL_GENERATION], 'no such group');
  const member = await stableMember(coordinator);
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(commit('g', member.generationId + 5, member.memberId, { 't:0': 1 }))), [ErrorCode.ILLEGAL_GENERATION]);
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(commit('g', member.generationId, 'stranger', { 't:0': 1 }))), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(commit('g', -1, '', { 't:0': 1 }))), [ErrorCode.UNKNOWN_MEMBER_ID], 'a non-empty group only takes commits from members');
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(commit('g', member.generationId, member.memberId, { 't:0': 1 }, { groupInstanceId: 'pod-x' }))), [ErrorCode.UNKNOWN_MEMBER_ID]);
  const tooLarge = commit('g', member.generationId, member.memberId, { 't:0': 1, 't:1': 2 });
  tooLarge.topics[0]!.partitions[1]!.committedMetadata = 'x'.repeat(11);
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(tooLarge)), [ErrorCode.NONE, ErrorCode.OFFSET_METADATA_TOO_LARGE]);
  const fetched = await coordinator.fetchOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] });
  assert.deepEqual(fetched.topics[0]!.partitions.map((p) => p.committedOffset), [1, -1]);

  const other = coordinator.joinGroup(joinParams('', { requireKnownMemberId: false, clientId: 'late' }));
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(commit('g', member.generationId, member.memberId, { 't:0': 2 }))), [ErrorCode.NONE], 'commits still go through while others rejoin');
  await coordinator.joinGroup(joinParams(member.memberId, { protocols: [{ name: 'range', metadata: subscription('t') }] }));
  const next = await other;
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(commit('g', next.generationId, member.memberId, { 't:0': 3 }))), [ErrorCode.REBALANCE_IN_PROGRESS], 'between join and sync');
});

test('a simple consumer (generation -1) commits to an Empty group; the empty group id is allowed for offsets', async () => {
  const { coordinator } = await startCoordinator();
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(commit('simple', -1, '', { 'a:0': 10, 'a:1': 11, 'b:0': 12 }))), [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
  assert.deepEqual(errorsOf(await coordinator.commitOffsets(commit('', -1, '', { 'a:0': 1 }))), [ErrorCode.NONE]);
  const all = await coordinator.fetchOffsets({ groupId: 'simple', topics: null });
  assert.deepEqual(all.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.metadata])]), [
    ['a', [[0, 10, 3, 'meta'], [1, 11, 3, 'meta']]],
    ['b', [[0, 12, 3, 'meta']]],
  ]);
  const unknown = await coordinator.fetchOffsets({ groupId: 'nobody', topics: [{ name: 'a', partitionIndexes: [0] }] });
  assert.deepEqual(unknown.topics[0]!.partitions[0], { partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE });
});

test('a commit is acknowledged only after the store has it', async () => {
  const store = new InMemoryGroupStore();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const gated = {
    append: async (partition: number, records: Array<{ key: Buffer; value: Buffer | null }>) => {
      await gate;
      await store.append(partition, records);
    },
    load: (partition: number) => store.load(partition),
  };
  const coordinator = new GroupCoordinator(gated, { numPartitions: PARTITIONS });
  for (let p = 0; p < PARTITIONS; p++) await coordinator.loadPartition(p);
  const pending = coordinator.commitOffsets(commit('simple', -1, '', { 't:0': 5 }));
  assert.equal(await isDone(pending), false);
  assert.equal((await coordinator.fetchOffsets({ groupId: 'simple', topics: null })).topics.length, 0, 'not visible before it is durable');
  release();
  assert.deepEqual(errorsOf(await pending), [ErrorCode.NONE]);
  assert.equal(store.partitions.get(coordinator.partitionFor('simple'))!.length, 1);

  const failing = new GroupCoordinator({ append: async () => Promise.reject(new Error('disk full')), load: (p) => store.load(p) }, { numPartitions: PARTITIONS });
  for (let p = 0; p < PARTITIONS; p++) await failing.loadPartition(p);
  assert.deepEqual(errorsOf(await failing.commitOffsets(commit('simple', -1, '', { 't:0': 6 }))), [ErrorCode.COORDINATOR_NOT_AVAILABLE]);
  assert.equal((await failing.fetchOffsets({ groupId: 'simple', topics: null })).topics[0]!.partitions[0]!.committedOffset, 5);
});

test('offsets and the group survive a restart: members come back Stable and expire if they do not heartbeat', async () => {
  const { coordinator, store } = await startCoordinator();
  const member = await stableMember(coordinator);
  await coordinator.commitOffsets(commit('g', member.generationId, member.memberId, { 't:0': 42, 't:1': 43 }));
  const partition = coordinator.partitionFor('g');
  const keys = store.partitions.get(partition)!.map((r) => decodeKey(r.key).type);
  assert.deepEqual(keys, ['group', 'offset', 'offset'], 'the group record is written once the leader synced, then the offsets');
  await coordinator.close();

  const { coordinator: reloaded, scheduler } = await startCoordinator({}, store);
  const fetched = await reloaded.fetchOffsets({ groupId: 'g', topics: null });
  assert.deepEqual(fetched.topics[0]!.partitions.map((p) => [p.committedOffset, p.committedLeaderEpoch, p.metadata]), [[42, 3, 'meta'], [43, 3, 'meta']]);
  const [described] = await reloaded.describeGroups(['g']);
  assert.equal(described!.groupState, 'Stable');
  assert.equal(described!.protocolData, 'range');
  assert.deepEqual(described!.members.map((m) => [m.memberId, m.memberAssignment.toString()]), [[member.memberId, 'a']]);
  assert.equal((await reloaded.heartbeat({ groupId: 'g', generationId: member.generationId, memberId: member.memberId, groupInstanceId: null })).errorCode, ErrorCode.NONE, 'the consumer carries on');

  scheduler.advance(10_001);
  await settle();
  const [afterExpiry] = await reloaded.describeGroups(['g']);
  assert.equal(afterExpiry!.groupState, 'Empty');
  await settle();
  const { coordinator: third } = await startCoordinator({}, store);
  const [again] = await third.describeGroups(['g']);
  assert.equal(again!.groupState, 'Empty');
  const rejoined = await third.joinGroup(joinParams('', { requireKnownMemberId: false }));
  assert.equal(rejoined.generationId, member.generationId + 2, 'the generation continues from the stored one');
  assert.equal((await third.fetchOffsets({ groupId: 'g', topics: null })).topics[0]!.partitions[0]!.committedOffset, 42);
});

test('deleteGroups needs an empty group and leaves tombstones; deleteOffsets spares subscribed topics', async () => {
  const { coordinator, store } = await startCoordinator();
  const member = await stableMember(coordinator, ['t']);
  await coordinator.commitOffsets(commit('g', member.generationId, member.memberId, { 't:0': 1, 'old:0': 2 }));
  assert.deepEqual(await coordinator.deleteGroups(['g', 'missing']), [{ groupId: 'g', errorCode: ErrorCode.NON_EMPTY_GROUP }, { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  const deleted = await coordinator.deleteOffsets({ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }, { name: 'old', partitionIndexes: [0] }] });
  assert.deepEqual(deleted, { errorCode: ErrorCode.NONE, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }] }, { name: 'old', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }] });
  assert.deepEqual((await coordinator.fetchOffsets({ groupId: 'g', topics: null })).topics.map((t) => t.name), ['t']);
  assert.equal((await coordinator.deleteOffsets({ groupId: 'missing', topics: [] })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

  await coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: member.memberId, groupInstanceId: null }] });
  await settle();
  assert.deepEqual(await coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: ErrorCode.NONE }]);
  assert.deepEqual(await coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  const tail = store.partitions.get(coordinator.partitionFor('g'))!.slice(-2);
  assert.deepEqual(tail.map((r) => [decodeKey(r.key).type, r.value]), [['offset', null], ['group', null]]);
  const { coordinator: reloaded } = await startCoordinator({}, store);
  assert.equal((await reloaded.describeGroups(['g']))[0]!.groupState, 'Dead');
  assert.equal((await reloaded.fetchOffsets({ groupId: 'g', topics: null })).topics.length, 0);
  assert.equal((await reloaded.listGroups()).groups.length, 0);
});

test('offset retention: simple groups by commit time, Empty groups from when they emptied, Stable groups only for unsubscribed topics', async () => {
  const { coordinator, scheduler, store } = await startCoordinator({ offsetsRetentionMs: DAY });
  await coordinator.commitOffsets(commit('simple', -1, '', { 't:0': 1 }));
  const member = await stableMember(coordinator, ['t'], 1_800_000);
  await coordinator.commitOffsets(commit('g', member.generationId, member.memberId, { 't:0': 5, 'gone:0': 6 }));
  const live = async (ms: number) => {
    for (let waited = 0; waited < ms; waited += 600_000) {
      scheduler.advance(Math.min(600_000, ms - waited));
      assert.equal((await coordinator.heartbeat({ groupId: 'g', generationId: member.generationId, memberId: member.memberId, groupInstanceId: null })).errorCode, ErrorCode.NONE);
    }
  };
  await live(DAY / 2);
  await coordinator.commitOffsets(commit('simple', -1, '', { 't:1': 2 }));
  await live(DAY / 2);
  assert.equal(await coordinator.expireOffsets(), 2, "simple t:0 and g's unsubscribed gone:0");
  assert.deepEqual((await coordinator.fetchOffsets({ groupId: 'simple', topics: null })).topics[0]!.partitions.map((p) => p.partitionIndex), [1]);
  assert.deepEqual((await coordinator.fetchOffsets({ groupId: 'g', topics: null })).topics.map((t) => t.name), ['t']);

  await coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: member.memberId, groupInstanceId: null }] });
  await settle();
  scheduler.advance(DAY - 1);
  assert.equal(await coordinator.expireOffsets(), 1, "simple's t:1; g emptied less than a day ago");
  assert.equal((await coordinator.describeGroups(['simple']))[0]!.groupState, 'Dead', 'no offsets left: the group is gone');
  scheduler.advance(1);
  coordinator.startOffsetExpiry(1000);
  await advanceUntil(scheduler, (async () => {
    while ((await coordinator.describeGroups(['g']))[0]!.groupState !== 'Dead') await settle();
  })(), 500, 5000);
  const tombstoned = store.partitions.get(coordinator.partitionFor('g'))!.slice(-2);
  assert.deepEqual(tombstoned.map((r) => [decodeKey(r.key).type, r.value]), [['offset', null], ['group', null]]);
  await coordinator.close();
});

test('an explicit retention time (OffsetCommit v2-v4) sets the expiry of that commit', async () => {
  const { coordinator, scheduler } = await startCoordinator({ offsetsRetentionMs: DAY });
  await coordinator.commitOffsets(commit('simple', -1, '', { 't:0': 1 }, { retentionTimeMs: 1000 }));
  scheduler.advance(999);
  assert.equal(await coordinator.expireOffsets(), 0);
  scheduler.advance(1);
  assert.equal(await coordinator.expireOffsets(), 1);
});
