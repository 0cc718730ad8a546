import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@tributary/testkit';
import { TransactionCoordinator, type TransactionCoordinatorDeps } from '../../src/coordinator/transaction/transaction-coordinator.ts';
import type { TopicPartition } from '../../src/coordinator/transaction/transaction-metadata.ts';
import type { MarkerWriteResult, TxnMarkerChannel } from '../../src/coordinator/transaction/txn-marker-channel.ts';
import { InMemoryGroupStore } from '../../src/group/group-store.ts';
import { ManualScheduler } from '../../src/group/scheduler.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';

/** Partition leaders as the coordinator sees them: markers land unless the leaders are down. */
class Leaders implements TxnMarkerChannel {
  down = false;
  readonly written: Array<{ tp: TopicPartition; producerId: number; producerEpoch: number; result: string }> = [];

  async writeMarkers(partitions: TopicPartition[], producerId: number, producerEpoch: number, result: 'commit' | 'abort'): Promise<MarkerWriteResult[]> {
    return partitions.map((tp) => {
      if (this.down) return { ...tp, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
      this.written.push({ tp, producerId, producerEpoch, result });
      return { ...tp, errorCode: ErrorCode.NONE };
    });
  }
}

function coordinator(store: InMemoryGroupStore, leaders: Leaders, scheduler: ManualScheduler) {
  let next = 1000;
  const deps: TransactionCoordinatorDeps = {
    store,
    producerIds: { generateProducerId: async () => next++ },
    markers: leaders,
    coordinatorEpoch: () => 0,
    partitionExists: () => true,
    scheduler,
  };
  return new TransactionCoordinator(deps, { numPartitions: 1, maxTimeoutMs: 60_000, abortTimedOutIntervalMs: 1000 });
}

/** A loaded coordinator of a one-partition __transaction_state kept in memory. */
async function setup() {
  const store = new InMemoryGroupStore();
  const scheduler = new ManualScheduler();
  const leaders = new Leaders();
  const txns = coordinator(store, leaders, scheduler);
  await txns.loadPartition(0);
  return { store, scheduler, leaders, txns };
}

const PARTITIONS = [{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }];

test('a coordinator restarted between PrepareCommit and CompleteCommit finishes the markers from the stored state', async () => {
  const { store, scheduler, leaders, txns: first } = await setup();
  const { producerId, producerEpoch } = await first.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 30_000, producerId: -1, producerEpoch: -1 });
  assert.equal(await first.addPartitions({ transactionalId: 'tx', producerId, producerEpoch, partitions: PARTITIONS }), ErrorCode.NONE);
  leaders.down = true;
  void first.endTransaction({ transactionalId: 'tx', producerId, producerEpoch, committed: true });
  await waitFor(() => first.describe(['tx'])[0]!.txn?.state === 'PrepareCommit', { what: 'PrepareCommit to be stored' });
  // The broker dies here: the first coordinator is gone, the leaders come back.
  first.unloadPartition(0);
  leaders.down = false;

  const second = coordinator(store, leaders, scheduler);
  await second.loadPartition(0);
  await waitFor(() => second.describe(['tx'])[0]!.txn?.state === 'CompleteCommit', { what: 'the restarted coordinator to complete the commit' });
  assert.deepEqual(leaders.written.map((w) => [w.tp.partition, w.result, w.producerId, w.producerEpoch]), [[0, 'commit', producerId, producerEpoch], [1, 'commit', producerId, producerEpoch]]);
  // The client's retry of EndTxn is answered as done.
  assert.equal(await second.endTransaction({ transactionalId: 'tx', producerId, producerEpoch, committed: true }), ErrorCode.NONE);
});

test('transactions open longer than their timeout are aborted and their producer fenced', async () => {
  const { scheduler, leaders, txns } = await setup();
  const { producerId, producerEpoch } = await txns.initProducerId({ transactionalId: 'slow', transactionTimeoutMs: 5000, producerId: -1, producerEpoch: -1 });
  await txns.addPartitions({ transactionalId: 'slow', producerId, producerEpoch, partitions: PARTITIONS });
  scheduler.advance(4000);
  assert.equal(await txns.abortTimedOutTransactions(), 0);
  scheduler.advance(2000);
  assert.equal(await txns.abortTimedOutTransactions(), 1);
  const state = txns.describe(['slow'])[0]!.txn!;
  assert.equal(state.state, 'CompleteAbort');
  assert.equal(state.producerEpoch, producerEpoch + 1);
  assert.deepEqual(leaders.written.map((w) => [w.result, w.producerEpoch]), [['abort', producerEpoch + 1], ['abort', producerEpoch + 1]]);
  assert.equal(await txns.endTransaction({ transactionalId: 'slow', producerId, producerEpoch, committed: true }), ErrorCode.PRODUCER_FENCED);
  assert.equal(await txns.addPartitions({ transactionalId: 'slow', producerId, producerEpoch, partitions: PARTITIONS }), ErrorCode.PRODUCER_FENCED);
});

test('InitProducerId validates the timeout, fences the previous epoch and aborts its open transaction', async () => {
  const { leaders, txns } = await setup();
  const tooLong = await txns.initProducerId({ transactionalId: 't', transactionTimeoutMs: 120_000, producerId: -1, producerEpoch: -1 });
  assert.equal(tooLong.errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  const old = await txns.initProducerId({ transactionalId: 't', transactionTimeoutMs: 10_000, producerId: -1, producerEpoch: -1 });
  await txns.addPartitions({ transactionalId: 't', producerId: old.producerId, producerEpoch: old.producerEpoch, partitions: PARTITIONS.slice(0, 1) });
  const fresh = await txns.initProducerId({ transactionalId: 't', transactionTimeoutMs: 10_000, producerId: -1, producerEpoch: -1 });
  assert.equal(fresh.producerId, old.producerId);
  assert.equal(fresh.producerEpoch, old.producerEpoch + 1);
  assert.deepEqual(leaders.written.map((w) => w.result), ['abort']);
  assert.equal(txns.describe(['t'])[0]!.txn!.state, 'CompleteAbort');
  assert.equal(await txns.endTransaction({ transactionalId: 't', producerId: old.producerId, producerEpoch: old.producerEpoch, committed: true }), ErrorCode.PRODUCER_FENCED);
  assert.equal(await txns.endTransaction({ transactionalId: 't', producerId: fresh.producerId, producerEpoch: fresh.producerEpoch, committed: true }), ErrorCode.INVALID_TXN_STATE);
  // A transactional id the coordinator does not own answers NOT_COORDINATOR, so the client looks again.
  txns.unloadPartition(0);
  assert.equal((await txns.initProducerId({ transactionalId: 't', transactionTimeoutMs: 10_000, producerId: -1, producerEpoch: -1 })).errorCode, ErrorCode.NOT_COORDINATOR);
});

test('EndTxn answers once the outcome is stored even while a leader refuses markers; the id stays busy until they land', async () => {
  const { scheduler, leaders, txns } = await setup();
  const { producerId, producerEpoch } = await txns.initProducerId({ transactionalId: 'busy', transactionTimeoutMs: 30_000, producerId: -1, producerEpoch: -1 });
  await txns.addPartitions({ transactionalId: 'busy', producerId, producerEpoch, partitions: PARTITIONS });
  leaders.down = true;
  const ended = txns.endTransaction({ transactionalId: 'busy', producerId, producerEpoch, committed: true });
  await waitFor(() => txns.describe(['busy'])[0]!.txn?.state === 'PrepareCommit', { what: 'PrepareCommit to be stored' });
  scheduler.advance(5000);
  assert.equal(await ended, ErrorCode.NONE);
  assert.equal(await txns.addPartitions({ transactionalId: 'busy', producerId, producerEpoch, partitions: PARTITIONS }), ErrorCode.CONCURRENT_TRANSACTIONS);
  assert.equal((await txns.initProducerId({ transactionalId: 'busy', transactionTimeoutMs: 30_000, producerId: -1, producerEpoch: -1 })).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  leaders.down = false;
  await waitFor(() => {
    scheduler.advance(2000);
    return txns.describe(['busy'])[0]!.txn?.state === 'CompleteCommit';
  }, { what: 'the markers to land once the leaders are back' });
  assert.equal(await txns.addPartitions({ transactionalId: 'busy', producerId, producerEpoch, partitions: PARTITIONS }), ErrorCode.NONE);
});
