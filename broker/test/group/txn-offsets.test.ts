import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCoordinator } from '../../src/group/group-coordinator.ts';
import { InMemoryGroupStore } from '../../src/group/group-store.ts';
import { ManualScheduler } from '../../src/group/scheduler.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';

const commit = (coordinator: GroupCoordinator, producerId: number, offset: number) =>
  coordinator.commitTxnOffsets({
    transactionalId: `tx-${producerId}`,
    groupId: 'g',
    producerId,
    producerEpoch: 0,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });

const committed = async (coordinator: GroupCoordinator) => (await coordinator.fetchOffsets({ groupId: 'g', topics: [{ name: 'orders', partitionIndexes: [0] }] } as never)).topics[0]!.partitions[0]!.committedOffset;

test('transactional offsets become committed on the commit marker, vanish on abort, and replay the same way', async () => {
  const store = new InMemoryGroupStore();
  const coordinator = new GroupCoordinator(store, { numPartitions: 1 }, null, new ManualScheduler());
  await coordinator.loadPartition(0);
  const result = await commit(coordinator, 1, 10);
  assert.equal(result.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  assert.equal(await committed(coordinator), -1, 'invisible before the marker');
  coordinator.completeTransaction(0, 1, 'commit');
  store.appendMarker(0, 1, 'commit');
  assert.equal(await committed(coordinator), 10);
  await commit(coordinator, 2, 20);
  coordinator.completeTransaction(0, 2, 'abort');
  store.appendMarker(0, 2, 'abort');
  assert.equal(await committed(coordinator), 10);
  await commit(coordinator, 3, 30);

  // A new coordinator replays the partition: producer 3's offsets are still pending.
  const replayed = new GroupCoordinator(store, { numPartitions: 1 }, null, new ManualScheduler());
  await replayed.loadPartition(0);
  assert.equal(await committed(replayed), 10);
  replayed.completeTransaction(0, 3, 'commit');
  assert.equal(await committed(replayed), 30);
});
