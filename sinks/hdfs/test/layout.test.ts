import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { committedFileName, parseCommittedFileName } from '../src/layout/file-names.ts';
import { parseTimeDirectory, TimePartitioner } from '../src/layout/time-partitioner.ts';
import { CdcEnvelopeMapper } from '../src/schema/cdc-envelope.ts';
import { hiveDdl, hiveTableName } from '../src/query/hive-ddl.ts';
import { asInt64, asTimestamp, RowError } from '../src/schema/values.ts';

test('committed file names round-trip and sort in offset order', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/), fc.nat(10_000), fc.bigInt(0n, 2n ** 62n), fc.bigInt(0n, 2n ** 20n), (topic, partition, start, span) => {
      const file = { topic, partition, startOffset: start, endOffset: start + span };
      assert.deepEqual(parseCommittedFileName(committedFileName(file)), file);
    }),
  );
  assert.equal(committedFileName({ topic: 't', partition: 3, startOffset: 5n, endOffset: 12n }), 't+3+00000000000000000005+00000000000000000012.parquet');
  const names = [100n, 9n, 10n].map((start) => committedFileName({ topic: 't', partition: 0, startOffset: start, endOffset: start }));
  assert.deepEqual([...names].sort(), [names[1], names[2], names[0]]);
  for (const other of ['_SUCCESS', 't+0+1.parquet', 't+x+1+2.parquet', '0b1e.parquet', 'intent-1.json']) assert.equal(parseCommittedFileName(other), null, other);
});

test('time directories follow the configured zone, including half- and quarter-hour offsets', () => {
  const instant = Date.parse('2026-11-24T23:50:00Z');
  assert.equal(new TimePartitioner('UTC').directory(instant), 'dt=2026-11-24/hour=23');
  assert.equal(new TimePartitioner('Europe/Paris').directory(instant), 'dt=2026-11-25/hour=00');
  assert.equal(new TimePartitioner('America/New_York').directory(instant), 'dt=2026-11-24/hour=18');
  assert.equal(new TimePartitioner('Asia/Kathmandu').directory(Date.parse('2026-11-24T18:14:59Z')), 'dt=2026-11-24/hour=23');
  assert.equal(new TimePartitioner('Asia/Kathmandu').directory(Date.parse('2026-11-24T18:15:00Z')), 'dt=2026-11-25/hour=00');
  const zone = new TimePartitioner('Asia/Kolkata');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (ms) => {
      const local = new Date(ms + 330 * 60_000).toISOString();
      assert.equal(zone.directory(ms), `dt=${local.slice(0, 10)}/hour=${local.slice(11, 13)}`);
    }),
  );
  assert.deepEqual(parseTimeDirectory('/t/dt=2026-11-25/hour=07'), { dt: '2026-11-25', hour: '07' });
});

test('values convert exactly or fail with the field named', () => {
  assert.equal(asInt64('18446744073709551615'.slice(1), 'n'), 8446744073709551615n);
  assert.throws(() => asInt64('18446744073709551615', 'n'), /n: 18446744073709551615 does not fit a 64-bit integer/);
  assert.throws(() => asInt64(1.5, 'n'), RowError);
  assert.equal(asTimestamp('2026-11-25T06:00:00.123Z', 't'), Date.parse('2026-11-25T06:00:00.123Z'));
  assert.equal(asTimestamp(1764050400123, 't'), 1764050400123);
  assert.throws(() => asTimestamp('soon', 't'), /t: expected an ISO 8601 time/);
});

test('CDC envelopes: tombstones carry no row, a clash with the metadata columns is refused', () => {
  const mapper = new CdcEnvelopeMapper();
  const base = { topic: 's.d.t', partition: 0, offset: 0n, timestamp: 0n, key: '{"id":1}' };
  assert.equal(mapper.map({ ...base, value: undefined }), null);
  const clash = JSON.stringify({ before: null, after: { __op: 1 }, source: {}, op: 'c', ts_ms: 1 });
  assert.throws(() => mapper.map({ ...base, value: clash }), /clashes with the sink's __ metadata columns/);
  assert.throws(() => mapper.map({ ...base, value: '{"op":"c"}' }), /not a change event/);
});

test('Hive DDL names, types and partitions', () => {
  assert.equal(hiveTableName('shop.inventory.Orders-v2'), 'shop_inventory_orders_v2');
  const ddl = hiveDdl(
    { topic: 'a.b', columns: [{ name: 'x', parquetType: 'INT64' }, { name: 'when', parquetType: 'TIMESTAMP_MILLIS' }], partitions: [{ dt: '2026-11-25', hour: '07', path: '/a.b/dt=2026-11-25/hour=07' }], files: [] },
    'hdfs://nn/landed/a.b',
  );
  assert.equal(
    ddl,
    [
      'CREATE EXTERNAL TABLE IF NOT EXISTS `a_b` (',
      '  `x` BIGINT,\n  `when` TIMESTAMP',
      ')',
      'PARTITIONED BY (`dt` STRING, `hour` STRING)',
      'STORED AS PARQUET',
      "LOCATION 'hdfs://nn/landed/a.b';",
      "ALTER TABLE `a_b` ADD IF NOT EXISTS PARTITION (dt='2026-11-25', hour='07') LOCATION 'hdfs://nn/landed/a.b/dt=2026-11-25/hour=07';",
    ].join('\n'),
  );
});
