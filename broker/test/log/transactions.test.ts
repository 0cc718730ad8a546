import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../src/log/log-config.ts';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { buildRecordBatch, decodeRecordBatch } from '../../src/log/records.ts';
import { iterateBatches } from '../../src/log/record-batch.ts';
import { buildControlBatch, readControlBatch } from '../../src/log/control-record.ts';
import { TransactionIndex } from '../../src/log/transaction-index.ts';
import { KafkaError } from '../../src/protocol/errors.ts';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function logDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-txn-log-'));
  dirs.push(dir);
  return join(dir, 'payments-0');
}

const config = (overrides: Partial<LogConfig> = {}): LogConfig => ({ ...DEFAULT_LOG_CONFIG, ...overrides });

function txnBatch(producerId: number, values: string[], baseSequence: number, producerEpoch = 0): Buffer {
  return buildRecordBatch({ records: values.map((value) => ({ key: null, value })), producerId, producerEpoch, baseSequence, isTransactional: true });
}

function marker(producerId: number, result: 'commit' | 'abort', producerEpoch = 0, coordinatorEpoch = 0): Buffer {
  return buildControlBatch({ producerId, producerEpoch, result, coordinatorEpoch });
}

/** Appends as the leader and moves the HW to the log end, as a single-replica ISR does. */
function append(log: PartitionLog, batch: Buffer, origin: 'client' | 'coordinator' = 'client') {
  const info = log.appendAsLeader(batch, { origin });
  log.highWatermark = log.logEndOffset;
  return info;
}

function dataValues(log: PartitionLog): string[] {
  const { records } = log.read(log.logStartOffset, 1 << 30, log.logEndOffset, true);
  const values: string[] = [];
  for (const chunk of records) for (const raw of iterateBatches(chunk)) {
    const batch = decodeRecordBatch(raw);
    if (!batch.isControl) for (const record of batch.records) values.push(record.value!.toString());
  }
  return values;
}

test('control batches round-trip Kafka\'s marker layout', () => {
  const batch = marker(7, 'commit', 3, 12);
  assert.deepEqual(readControlBatch(batch), { result: 'commit', coordinatorEpoch: 12 });
  const decoded = decodeRecordBatch(batch);
  assert.equal(decoded.isControl, true);
  assert.equal(decoded.isTransactional, true);
  assert.deepEqual([...decoded.records[0]!.key!], [0, 0, 0, 1]);
  assert.deepEqual([...decoded.records[0]!.value!], [0, 0, 0, 0, 0, 12]);
  assert.deepEqual(readControlBatch(marker(7, 'abort')), { result: 'abort', coordinatorEpoch: 0 });
});

test('the transaction index stores 34-byte entries and reloads them', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'tributary-txnindex-')), '00000000000000000000.txnindex');
  dirs.push(join(path, '..'));
  const index = new TransactionIndex(path);
  index.append({ producerId: 5, firstOffset: 10, lastOffset: 20, lastStableOffset: 21 });
  index.append({ producerId: 6, firstOffset: 30, lastOffset: 35, lastStableOffset: 36 });
  index.close();
  assert.equal(statSync(path).size, 68);
  const reloaded = new TransactionIndex(path);
  assert.deepEqual(reloaded.collect(21, 100), [{ producerId: 6, firstOffset: 30, lastOffset: 35, lastStableOffset: 36 }]);
  assert.equal(reloaded.collect(0, 10).length, 0);
  assert.equal(reloaded.collect(0, 11).length, 1);
  reloaded.close();
});

test('the last stable offset stops at the oldest open transaction and moves on its marker', () => {
  const log = PartitionLog.open(logDir(), config());
  append(log, buildRecordBatch({ records: [{ key: null, value: 'plain' }] }));
  assert.equal(log.lastStableOffset, 1);
  append(log, txnBatch(1, ['a', 'b'], 0));
  append(log, txnBatch(2, ['x'], 0));
  append(log, txnBatch(1, ['c'], 2));
  assert.equal(log.logEndOffset, 5);
  assert.equal(log.lastStableOffset, 1);
  assert.deepEqual(log.ongoingTransactions().map((t) => [t.producerId, t.firstOffset]), [[1, 1], [2, 3]]);
  append(log, marker(1, 'commit'), 'coordinator');
  assert.equal(log.lastStableOffset, 3, 'producer 2 still holds offset 3');
  append(log, marker(2, 'abort'), 'coordinator');
  assert.equal(log.lastStableOffset, log.logEndOffset);
  assert.deepEqual(log.collectAbortedTransactions(0, log.logEndOffset), [{ producerId: 2, firstOffset: 3, lastOffset: 6, lastStableOffset: 7 }]);
  assert.deepEqual(log.collectAbortedTransactions(0, 3), [], 'the aborted data starts at 3');
  assert.deepEqual(dataValues(log), ['plain', 'a', 'b', 'x', 'c']);
  log.close();
});

test('a marker above the high watermark keeps the transaction unstable until it is replicated', () => {
  const log = PartitionLog.open(logDir(), config());
  append(log, txnBatch(1, ['a'], 0));
  log.appendAsLeader(marker(1, 'commit'), { origin: 'coordinator' });
  assert.equal(log.highWatermark, 1);
  assert.equal(log.lastStableOffset, 0);
  log.highWatermark = log.logEndOffset;
  assert.equal(log.lastStableOffset, 2);
  log.close();
});

test('producers cannot write control batches, and markers of an older epoch or coordinator are refused', () => {
  const log = PartitionLog.open(logDir(), config());
  assert.throws(() => log.appendAsLeader(marker(1, 'commit')), (error: KafkaError) => error.name === 'INVALID_RECORD');
  append(log, txnBatch(1, ['a'], 0, 2));
  assert.throws(() => log.appendAsLeader(marker(1, 'abort', 1), { origin: 'coordinator' }), (error: KafkaError) => error.name === 'INVALID_PRODUCER_EPOCH');
  append(log, marker(1, 'abort', 3, 5), 'coordinator');
  assert.throws(() => log.appendAsLeader(marker(1, 'abort', 3, 4), { origin: 'coordinator' }), (error: KafkaError) => error.name === 'TRANSACTION_COORDINATOR_FENCED');
  // The marker bumped the epoch: the old producer is fenced, the new epoch starts at sequence 0.
  assert.throws(() => log.appendAsLeader(txnBatch(1, ['zombie'], 1, 2)), (error: KafkaError) => error.name === 'INVALID_PRODUCER_EPOCH');
  append(log, txnBatch(1, ['fresh'], 0, 3));
  log.close();
});

for (const clean of [true, false]) {
  test(`open transactions, the last stable offset and the .txnindex survive a ${clean ? 'clean restart' : 'crash (rebuilt from the log)'}`, () => {
    const dir = logDir();
    const log = PartitionLog.open(dir, config({ segmentBytes: 300 }));
    for (let i = 0; i < 6; i++) {
      append(log, txnBatch(10 + (i % 2), [`v${i}`], Math.floor(i / 2)));
    }
    append(log, marker(10, 'abort'), 'coordinator');
    append(log, marker(11, 'commit'), 'coordinator');
    append(log, txnBatch(12, ['open'], 0));
    const aborted = log.collectAbortedTransactions(0, log.logEndOffset);
    const stable = log.lastStableOffset;
    const segments = log.segments.length;
    assert.ok(segments > 1, 'the test spans several segments');
    if (clean) log.close();
    else {
      // A crash that also lost the .txnindex files: segments without one are scanned and it is rebuilt.
      for (const name of readdirSync(dir)) if (name.endsWith('.txnindex')) rmSync(join(dir, name));
    }
    const reopened = PartitionLog.open(dir, config({ segmentBytes: 300 }), { recover: !clean });
    assert.deepEqual(reopened.collectAbortedTransactions(0, reopened.logEndOffset), aborted);
    // After a crash the HW checkpoint may lag; a single-replica partition raises it to the log end.
    reopened.highWatermark = reopened.logEndOffset;
    assert.equal(reopened.lastStableOffset, stable);
    assert.deepEqual(reopened.ongoingTransactions().map((t) => t.producerId), [12]);
    assert.ok(readdirSync(dir).some((name) => name.endsWith('.txnindex')));
    append(reopened, marker(12, 'commit'), 'coordinator');
    assert.equal(reopened.lastStableOffset, reopened.logEndOffset);
    reopened.close();
  });
}

test('truncation below a marker reopens its transaction and drops its index entry', () => {
  const log = PartitionLog.open(logDir(), config());
  append(log, txnBatch(1, ['a'], 0));
  append(log, marker(1, 'abort'), 'coordinator');
  assert.equal(log.collectAbortedTransactions(0, 10).length, 1);
  log.truncateTo(1);
  assert.equal(log.collectAbortedTransactions(0, 10).length, 0);
  assert.deepEqual(log.ongoingTransactions().map((t) => t.firstOffset), [0]);
  assert.ok(existsSync(log.dir));
  log.close();
});
