import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, unlinkSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LOG_CONFIG, logConfigFromKafkaProps, type LogConfig } from '../../src/log/log-config.ts';
import { LogManager } from '../../src/log/log-manager.ts';
import { PartitionLog } from '../../src/log/partition-log.ts';
import { buildRecordBatch, decodeRecordBatch } from '../../src/log/records.ts';
import { iterateBatches } from '../../src/log/record-batch.ts';
import { KafkaError } from '../../src/protocol/errors.ts';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function logDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-log-'));
  dirs.push(dir);
  return join(dir, 'orders-0');
}

const config = (overrides: Partial<LogConfig> = {}): LogConfig => ({ ...DEFAULT_LOG_CONFIG, ...overrides });

function batch(values: string[], options: { timestamp?: number; producerId?: number; producerEpoch?: number; baseSequence?: number } = {}) {
  return buildRecordBatch({
    records: values.map((value, i) => ({ key: `k-${value}`, value, timestamp: (options.timestamp ?? 1_000) + i })),
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: options.baseSequence,
  });
}

function readValues(log: PartitionLog, from = log.logStartOffset): string[] {
  const { records } = log.read(from, 1 << 30, log.logEndOffset, true);
  const values: string[] = [];
  for (const chunk of records) for (const raw of iterateBatches(chunk)) for (const record of decodeRecordBatch(raw).records) values.push(record.value!.toString());
  return values;
}

test('appends assign contiguous offsets and reads return whole batches from any offset', () => {
  const log = PartitionLog.open(logDir(), config());
  const first = log.appendAsLeader(batch(['a', 'b', 'c']));
  const second = log.appendAsLeader(batch(['d']));
  assert.deepEqual([first.firstOffset, first.lastOffset, second.firstOffset, second.lastOffset], [0, 2, 3, 3]);
  assert.equal(log.logEndOffset, 4);
  assert.deepEqual(readValues(log), ['a', 'b', 'c', 'd']);
  // Reading from inside a batch returns that whole batch (the client skips earlier records).
  assert.deepEqual(readValues(log, 1), ['a', 'b', 'c', 'd']);
  assert.deepEqual(readValues(log, 3), ['d']);
  assert.throws(() => log.read(5, 100, 5, true), (error: KafkaError) => error.code === 1);
  log.close();
});

test('the high watermark bounds reads, and max bytes with min-one-batch follows KIP-74', () => {
  const log = PartitionLog.open(logDir(), config());
  log.appendAsLeader(batch(['a']));
  log.appendAsLeader(batch(['b'.repeat(500)]));
  log.highWatermark = 1;
  const visible = log.read(0, 1 << 20, log.highWatermark, true).records;
  assert.deepEqual(visible.flatMap((chunk) => [...iterateBatches(chunk)].flatMap((raw) => decodeRecordBatch(raw).records.map((r) => r.value!.toString()))), ['a']);
  const tiny = log.read(0, 1, 2, true);
  assert.equal(tiny.records.length, 1, 'one batch even when it exceeds max bytes');
  assert.equal(log.read(0, 1, 2, false).records.length, 0);
  log.close();
});

test('segments roll at segment.bytes; retention by time and size deletes whole old segments', () => {
  let now = 10_000_000;
  const log = PartitionLog.open(logDir(), config({ segmentBytes: 300, retentionMs: 1000 }), { now: () => now });
  for (let i = 0; i < 20; i++) log.appendAsLeader(batch([`v${i}-${'x'.repeat(40)}`], { timestamp: now - 5000 + i }));
  log.appendAsLeader(batch(['fresh'], { timestamp: now }));
  const segments = log.segments.length;
  assert.ok(segments > 5, `rolled into ${segments} segments`);
  now += 10;
  const deleted = log.enforceRetention(now);
  assert.ok(deleted >= segments - 2, `deleted ${deleted} expired segments`);
  assert.ok(log.logStartOffset > 0);
  assert.ok(readValues(log).includes('fresh'));
  assert.throws(() => log.read(0, 100, log.logEndOffset, true), (error: KafkaError) => error.code === 1, 'below the log start: OFFSET_OUT_OF_RANGE');
  log.close();

  const sized = PartitionLog.open(logDir(), config({ segmentBytes: 300, retentionBytes: 600, retentionMs: -1 }));
  for (let i = 0; i < 30; i++) sized.appendAsLeader(batch([`s${i}-${'y'.repeat(40)}`]));
  sized.enforceRetention();
  assert.ok(sized.size <= 600 + 300, `size ${sized.size} within retention.bytes plus the active segment`);
  sized.close();
});

test('offsetForTimestamp finds the first record at or after a time, inside batches too', () => {
  const log = PartitionLog.open(logDir(), config({ segmentBytes: 400 }));
  for (let i = 0; i < 30; i++) log.appendAsLeader(batch([`a${i}`, `b${i}`], { timestamp: 1000 + i * 10 }));
  assert.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: 1000 });
  assert.equal(log.offsetForTimestamp(1101)!.offset, 21, 'the second record of the batch at 1100');
  assert.equal(log.offsetForTimestamp(1150)!.offset, 30);
  assert.equal(log.offsetForTimestamp(99_999), null);
  log.close();
});

test('corrupt input is refused whole: bad CRC, torn batch, oversized batch', () => {
  const log = PartitionLog.open(logDir(), config({ maxMessageBytes: 200 }));
  const good = batch(['ok']);
  const bad = batch(['bad']);
  bad[bad.length - 1] ^= 1;
  assert.throws(() => log.appendAsLeader(Buffer.concat([good, bad])), (e: KafkaError) => e.name === 'CORRUPT_MESSAGE');
  assert.throws(() => log.appendAsLeader(good.subarray(0, good.length - 3)), (e: KafkaError) => e.name === 'CORRUPT_MESSAGE');
  assert.throws(() => log.appendAsLeader(batch(['z'.repeat(400)])), (e: KafkaError) => e.name === 'MESSAGE_TOO_LARGE');
  assert.equal(log.logEndOffset, 0, 'nothing was written');
  log.close();
});

test('idempotent producers: duplicates are acknowledged not appended, gaps and old epochs refused, state survives reopen', () => {
  const dir = logDir();
  const log = PartitionLog.open(dir, config());
  const first = log.appendAsLeader(batch(['a', 'b'], { producerId: 7, producerEpoch: 0, baseSequence: 0 }));
  log.appendAsLeader(batch(['c'], { producerId: 7, producerEpoch: 0, baseSequence: 2 }));
  const retry = log.appendAsLeader(batch(['a', 'b'], { producerId: 7, producerEpoch: 0, baseSequence: 0 }));
  assert.equal(retry.duplicate, true);
  assert.equal(retry.firstOffset, first.firstOffset);
  assert.equal(log.logEndOffset, 3);
  assert.throws(() => log.appendAsLeader(batch(['x'], { producerId: 7, producerEpoch: 0, baseSequence: 9 })), (e: KafkaError) => e.name === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  log.appendAsLeader(batch(['d'], { producerId: 7, producerEpoch: 1, baseSequence: 0 }));
  assert.throws(() => log.appendAsLeader(batch(['old'], { producerId: 7, producerEpoch: 0, baseSequence: 3 })), (e: KafkaError) => e.name === 'INVALID_PRODUCER_EPOCH');
  log.close();

  const reopened = PartitionLog.open(dir, config(), { recover: true });
  const again = reopened.appendAsLeader(batch(['d'], { producerId: 7, producerEpoch: 1, baseSequence: 0 }));
  assert.equal(again.duplicate, true, 'a retry after a restart is still recognised');
  assert.equal(reopened.logEndOffset, 4);
  reopened.close();
});

test('recovery after a crash truncates a torn tail and rebuilds lost indexes', () => {
  const dir = logDir();
  const log = PartitionLog.open(dir, config({ indexIntervalBytes: 1 }));
  for (let i = 0; i < 10; i++) log.appendAsLeader(batch([`r${i}`]));
  const segment = log.segments[0]!;
  log.close();
  // A crash mid-write: half a batch at the end, and the index files gone.
  const fd = openSync(segment.logPath, 'a');
  writeSync(fd, batch(['torn']).subarray(0, 30));
  closeSync(fd);
  for (const name of readdirSync(dir)) if (name.endsWith('.index') || name.endsWith('.timeindex')) unlinkSync(join(dir, name));
  const recovered = PartitionLog.open(dir, config({ indexIntervalBytes: 1 }), { recover: true });
  assert.equal(recovered.logEndOffset, 10);
  assert.deepEqual(readValues(recovered, 7), ['r7', 'r8', 'r9']);
  assert.ok(statSync(join(dir, '00000000000000000000.index')).size > 0, 'offset index rebuilt');
  const next = recovered.appendAsLeader(batch(['after']));
  assert.equal(next.firstOffset, 10);
  recovered.close();

  // A corrupt byte in the middle of the last batch is a torn write too.
  const again = PartitionLog.open(dir, config(), { recover: true });
  const path = again.segments[0]!.logPath;
  const size = again.segments[0]!.size;
  again.close();
  truncateSync(path, size - 1);
  const reread = PartitionLog.open(dir, config(), { recover: true });
  assert.equal(reread.logEndOffset, 10, 'the damaged last batch is dropped, the rest kept');
  reread.close();
});

test('topic configs parse from Kafka names with clear errors', () => {
  const parsed = logConfigFromKafkaProps({ 'segment.bytes': '1024', 'retention.ms': '-1', 'flush.messages': '9223372036854775807', 'message.timestamp.type': 'LogAppendTime' });
  assert.equal(parsed.segmentBytes, 1024);
  assert.equal(parsed.retentionMs, -1);
  assert.equal(parsed.flushMessages, Infinity);
  assert.equal(parsed.messageTimestampType, 'LogAppendTime');
  assert.throws(() => logConfigFromKafkaProps({ 'retention.ms': 'soon' }), /retention\.ms must be a number/);
});

test('LogAppendTime topics stamp the broker time and keep the batch valid', () => {
  const log = PartitionLog.open(logDir(), config({ messageTimestampType: 'LogAppendTime' }), { now: () => 5_000_000 });
  const info = log.appendAsLeader(batch(['a'], { timestamp: 1 }));
  assert.equal(info.logAppendTimeMs, 5_000_000);
  const [record] = decodeRecordBatch(log.read(0, 1000, 1, true).records[0]!).records;
  assert.equal(record!.timestamp, 5_000_000);
  log.close();
});

test('the log manager recovers only after an unclean shutdown and deletes logs safely', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-lm-'));
  dirs.push(dataDir);
  const manager = LogManager.open(dataDir, config());
  manager.createLog('a', 0).appendAsLeader(batch(['1', '2']));
  manager.createLog('b-with-dash', 3).appendAsLeader(batch(['3']));
  manager.close();
  assert.ok(readdirSync(dataDir).includes('.kafka_cleanshutdown'));
  const reopened = LogManager.open(dataDir, config());
  assert.equal(reopened.getLog('a', 0)!.logEndOffset, 2);
  assert.equal(reopened.getLog('b-with-dash', 3)!.logEndOffset, 1);
  reopened.deleteLog('a', 0);
  assert.equal(reopened.getLog('a', 0), undefined);
  assert.ok(!readdirSync(dataDir).some((name) => name.startsWith('a-0')));
  reopened.close();
});
