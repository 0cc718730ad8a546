import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOffset, encodeOffset, offsetPosition, type BinlogPosition } from '../src/binlog-position.ts';

const roundTrip = (position: BinlogPosition) => offsetPosition(decodeOffset(encodeOffset(position, true)));

test('a position inside a transaction keeps its events and rows to skip through the offsets topic', () => {
  const inside: BinlogPosition = { file: 'binlog.000003', pos: 1234, gtids: '0-1-77', event: 2, row: 5 };
  assert.deepEqual(roundTrip(inside), inside);
  assert.deepEqual(roundTrip({ file: 'binlog.000003', pos: 1234, gtids: null, row: 5 }), { file: 'binlog.000003', pos: 1234, gtids: null, row: 5 });
  const stored = decodeOffset(encodeOffset(inside, true));
  assert.equal(stored.snapshot_completed, true);
  assert.equal(typeof stored.ts_sec, 'number');
});

test('a position between transactions is stored without skip counts, as before they existed', () => {
  const between: BinlogPosition = { file: 'binlog.000003', pos: 1234, gtids: null, event: 0, row: 0 };
  assert.deepEqual(Object.keys(JSON.parse(encodeOffset(between, true).toString())), ['file', 'pos', 'gtids', 'snapshot_completed', 'ts_sec']);
  assert.deepEqual(roundTrip(between), { file: 'binlog.000003', pos: 1234, gtids: null });
});

test('an offset written before the skip counts existed still loads', () => {
  const old = Buffer.from('{"file":"mysql-bin.000012","pos":4,"gtids":null,"snapshot_completed":true,"ts_sec":1718000000}');
  assert.deepEqual(offsetPosition(decodeOffset(old)), { file: 'mysql-bin.000012', pos: 4, gtids: null });
});
