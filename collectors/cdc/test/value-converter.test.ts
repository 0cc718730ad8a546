import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeJson } from '../src/json-writer.ts';
import { convertValue, shortestFloat32 } from '../src/value-converter.ts';

const as = (type: string, raw: unknown, charset: string | null = null) => writeJson(convertValue({ name: 'x', type, charset }, raw));

test('integers keep every digit beyond 2^53', () => {
  assert.equal(as('bigint(20) unsigned', '18446744073709551615'), '18446744073709551615');
  assert.equal(as('bigint(20)', '-9223372036854775808'), '-9223372036854775808');
  assert.equal(as('int(11)', 42), '42');
  assert.equal(as('bigint(20)', '9007199254740991'), '9007199254740991');
});

test('FLOAT reads back as the same float32 with the fewest digits', () => {
  assert.equal(shortestFloat32(Math.fround(3.14)), 3.14);
  assert.equal(shortestFloat32(Math.fround(16777217)), 16777216);
  assert.equal(shortestFloat32(Math.fround(-1.5e-30)), -1.5e-30);
});

test('temporal types', () => {
  assert.equal(as('date', '1970-01-02'), '1');
  assert.equal(as('date', '0000-00-00'), 'null');
  assert.equal(as('datetime', '1970-01-01 00:00:01'), '1000');
  assert.equal(as('datetime(3)', '1970-01-01 00:00:00.5'), '500');
  assert.equal(as('datetime(6)', '9999-12-31 23:59:59.999999'), '253402300799999999');
  assert.equal(as('timestamp(2)', '2024-01-02 03:04:05.12'), '"2024-01-02T03:04:05.12Z"');
  assert.equal(as('timestamp', '0000-00-00 00:00:00'), 'null');
  assert.equal(as('time(3)', '-01:00:00.5'), '-3600500000');
  assert.equal(as('year(4)', 1900), '0');
});

test('bits, binary strings, text', () => {
  assert.equal(as('bit(1)', Buffer.from([1])), 'true');
  assert.equal(as('bit(9)', Buffer.from([1, 0])), '"AQA="');
  assert.equal(as('varbinary(4)', Buffer.from([0, 255])), '"AP8="');
  assert.equal(as('varchar(4)', 'é"', 'utf8mb4'), '"é\\""');
  assert.equal(as('decimal(5,2)', '-1.50'), '"-1.50"');
});
