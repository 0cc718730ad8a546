import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@tributary/testkit';
import { readTopic, startConnector } from './support/harness.ts';
import { useTestBed } from './support/test-bed.ts';

const bed = useTestBed();

const COLUMNS = `id INT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT, i INT, iu INT UNSIGNED,
  bi BIGINT, biu BIGINT UNSIGNED, dec1 DECIMAL(65,30), dec2 DECIMAL(10,2), f FLOAT, d DOUBLE,
  dt DATE, dtm DATETIME, dtm3 DATETIME(3), dtm6 DATETIME(6), ts TIMESTAMP(6) NULL, tm TIME(6), yr YEAR,
  c CHAR(10), vc VARCHAR(100), lat VARCHAR(20) CHARACTER SET latin1, txt TEXT,
  bin BINARY(4), vbin VARBINARY(10), blb BLOB,
  e ENUM('a','b,c','x'), s SET('r','g','b'), b1 BIT(1), b12 BIT(12), j JSON, n INT NULL`;

const ROWS: { values: string; expected: Record<string, string> }[] = [
  {
    values: `-128, 255, -32768, -8388608, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
      '12345678901234567890123456789012345.123456789012345678901234567890', '-12345678.90', 3.14, 2.718281828459045,
      '2024-02-29', '1999-12-31 23:59:59', '2024-01-01 00:00:00.123', '9999-12-31 23:59:59.999999', '2024-03-10 12:34:56.654321',
      '-838:59:59.000000', 2155, 'abc', 'héllo 🌍 ünïcode', 'café', 'line1\\nline2',
      X'0102', X'00FF00', X'DEADBEEF', 'b,c', 'r,b', b'1', b'101010101010', '{"a": [1, 2.5, "x"], "big": 12345678901234567890}', NULL`,
    expected: {
      ti: '-128', tiu: '255', si: '-32768', mi: '-8388608', i: '-2147483648', iu: '4294967295',
      bi: '-9223372036854775808', biu: '18446744073709551615',
      dec1: '"12345678901234567890123456789012345.123456789012345678901234567890"', dec2: '"-12345678.90"',
      f: '3.14', d: '2.718281828459045', dt: '19782', dtm: '946684799000', dtm3: '1704067200123', dtm6: '253402300799999999',
      ts: '"2024-03-10T12:34:56.654321Z"', tm: '-3020399000000', yr: '2155', c: '"abc"', vc: '"héllo 🌍 ünïcode"', lat: '"café"', txt: '"line1\\nline2"',
      bin: '"AQIAAA=="', vbin: '"AP8A"', blb: '"3q2+7w=="', e: '"b,c"', s: '"r,b"', b1: 'true', b12: '"Cqo="',
      j: JSON.stringify('{"a": [1, 2.5, "x"], "big": 12345678901234567890}'), n: 'null',
    },
  },
  {
    values: `0, 0, 32767, 8388607, 2147483647, 0, 9223372036854775807, 9007199254740993, '0.000000000000000000000000000001', '0.00', -1.5e-30, 1e308,
      '1000-01-01', '1000-01-01 00:00:00', '2024-06-30 23:59:59.999', '1970-01-01 00:00:00.000001', '1970-01-01 00:00:01.000000',
      '838:59:59.000000', 0, '', '', '', '', X'', X'', X'', 'a', '', b'0', b'000000000000', '[]', 7`,
    expected: {
      ti: '0', tiu: '0', si: '32767', mi: '8388607', i: '2147483647', iu: '0', bi: '9223372036854775807', biu: '9007199254740993',
      dec1: '"0.000000000000000000000000000001"', dec2: '"0.00"', f: '-1.5e-30', d: '1e+308', dt: '-354285', dtm: '-30610224000000',
      dtm3: String(Date.UTC(2024, 5, 30, 23, 59, 59, 999)), dtm6: '1', ts: '"1970-01-01T00:00:01.000000Z"', tm: '3020399000000', yr: '0',
      c: '""', vc: '""', lat: '""', txt: '""', bin: '"AAAAAA=="', vbin: '""', blb: '""', e: '"a"', s: '""', b1: 'false', b12: '"AAA="', j: '"[]"', n: '7',
    },
  },
];

/** The `after` block of an envelope, as text: JSON.parse would round the 64-bit values. */
function afterText(value: string): string {
  return value.slice(value.indexOf('"after":{') + 8, value.indexOf(',"source":'));
}

function assertRow(text: string, expected: Record<string, string>, what: string) {
  for (const [column, fragment] of Object.entries(expected)) {
    assert.ok(text.includes(`"${column}":${fragment},`) || text.endsWith(`"${column}":${fragment}}`), `${what}: column ${column} should be ${fragment} in ${text}`);
  }
}

test('every column type round-trips exactly, in the snapshot and from the binlog', async () => {
  await bed.db.sql("SET GLOBAL time_zone = '+00:00'");
  await bed.db.sql(`CREATE DATABASE shop CHARACTER SET utf8mb4`);
  await bed.db.sql(`CREATE TABLE shop.types (${COLUMNS}) DEFAULT CHARSET=utf8mb4`);
  for (const [index, row] of ROWS.entries()) await bed.db.sql(`INSERT INTO shop.types VALUES (${index + 1}, ${row.values})`);

  bed.connector = await startConnector({ mysql: bed.db.url, 'server.name': 'types', 'bootstrap.servers': bed.broker.bootstrap, 'status.port': 0 });
  for (const [index, row] of ROWS.entries()) await bed.db.sql(`INSERT INTO shop.types VALUES (${index + 101}, ${row.values})`);

  const records = (await waitFor(async () => {
    const all = await readTopic(bed.broker.bootstrap, 'types.shop.types');
    return all.length >= ROWS.length * 2 ? all : null;
  }, { what: 'snapshot and streamed rows', timeoutMs: 60_000 }))!;

  for (const [index, row] of ROWS.entries()) {
    const snapshot = records.find((r) => r.key === `{"id":${index + 1}}`);
    const streamed = records.find((r) => r.key === `{"id":${index + 101}}`);
    assert.ok(snapshot?.value?.includes('"op":"r"'), `snapshot row ${index + 1} is an op=r event`);
    assert.ok(streamed?.value?.includes('"op":"c"'), `streamed row ${index + 101} is an op=c event`);
    assertRow(afterText(snapshot!.value!), row.expected, `snapshot row ${index + 1}`);
    assertRow(afterText(streamed!.value!), row.expected, `binlog row ${index + 101}`);
  }
});
