import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createLogger } from '@tributary/common';
import type { PageRecord } from '@tributary/crawler';
import { kcat, startBroker, type BrokerInstance } from '@tributary/testkit';
import { describeLandedTable, hiveDdl, LocalFileSystem, queryLanded, sinkConfig, startSinkWorker } from '../src/index.ts';
import { endOffsets, waitUntilCommitted, waitUntilLanded } from './support/landing.ts';

const CLI = join(import.meta.dirname, '../../../cli/bin/tributary.mjs');
const CDC_TOPIC = 'shop.inventory.orders';

const source = (pos: number) => ({ version: '0.1.0', connector: 'mysql', name: 'shop', ts_ms: 1764000000000 + pos, snapshot: 'false', db: 'inventory', table: 'orders', server_id: 1, gtid: null, file: 'mariadb-bin.000001', pos, row: 0 });
// Written as text so the BIGINT UNSIGNED keeps its digits, exactly as the CDC connector writes it.
const cdcLines = [
  `{"id":1}\t{"before":null,"after":{"id":1,"big":18446744073709551615,"amount":"12345678901234567890.123456789","name":"Zoë"},"source":${JSON.stringify(source(100))},"op":"c","ts_ms":1764000000500}`,
  `{"id":1}\t{"before":{"id":1,"big":18446744073709551615,"amount":"12345678901234567890.123456789","name":"Zoë"},"after":{"id":1,"big":9007199254740993,"amount":"0.000000001","name":"Zoë B"},"source":${JSON.stringify(source(200))},"op":"u","ts_ms":1764000000600}`,
  `{"id":1}\t{"before":{"id":1,"big":9007199254740993,"amount":"0.000000001","name":"Zoë B"},"after":null,"source":${JSON.stringify(source(300))},"op":"d","ts_ms":1764000000700}`,
  `{"id":1}\t`,
  `{"id":2}\t{"before":null,"after":{"id":2,"big":-1,"amount":"-5.50","name":"Ann","note":"gift"},"source":${JSON.stringify(source(400))},"op":"c","ts_ms":1764000000800}`,
];

const page = (i: number): PageRecord => ({
  crawlId: 'c1', url: `http://site.test/p${i}`, requestedUrl: `http://site.test/p${i}`, finalUrl: `http://site.test/p${i}`, redirects: [], status: 200,
  headers: { 'content-type': 'text/html' }, contentType: 'text/html', title: `Page ${i}`, text: `text ${i}`, outlinks: [`http://site.test/p${i + 1}`], depth: i, referrer: null,
  fetchedAt: '2026-11-25T06:00:00.000Z', timings: { startedAt: 1764050400000, firstByteMs: 3, totalMs: 12, renderMs: null }, renderedWith: 'http',
  bodyBytes: 100 + i, bodyEncoding: 'gzip+base64', body: 'H4sIAAAAAAAAA8tIzcnJBwCGphA2BQAAAA==', bodyOmitted: null, workerId: 'w1',
});

const trackingLines = [
  `a-1\t${JSON.stringify({ type: 'track', event: 'signup', eventId: 'good-1', anonymousId: 'a-1', timestamp: '2026-11-25T06:00:00.000Z', properties: { plan: 'pro' } })}`,
  'a-2\tthis is not json',
  `a-3\t${JSON.stringify({ type: 'track', eventId: 'bad-time', anonymousId: 'a-3', timestamp: 'yesterday' })}`,
];

async function produce(bootstrap: string, topic: string, lines: string[]): Promise<void> {
  const result = await kcat(['-b', bootstrap, '-P', '-t', topic, '-p', '0', '-K', '\t', '-Z'], { input: lines.join('\n') + '\n' });
  assert.equal(result.code, 0, result.stderr);
}

/** DuckDB's view of a topic's files: column names and types, in order, across all files. */
async function duckDbColumns(files: string[]): Promise<Array<[string, string]>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const list = files.map((file) => `'${file}'`).join(', ');
    const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet([${list}], union_by_name = true, hive_partitioning = false)`);
    return reader.getRowObjectsJS().map((row) => [String(row.column_name), String(row.column_type)]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const DUCKDB_TO_HIVE: Record<string, string> = { VARCHAR: 'STRING', BIGINT: 'BIGINT', INTEGER: 'INT', BOOLEAN: 'BOOLEAN', DOUBLE: 'DOUBLE', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP', TIMESTAMP: 'TIMESTAMP', TIMESTAMP_MS: 'TIMESTAMP' };

describe('topics land with their own schemas', () => {
  let broker: BrokerInstance;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-sink-schemas-'));
  const root = join(dir, 'landed');
  const fs = new LocalFileSystem(root);
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0, 'num.partitions': 1 } });
    await produce(broker.bootstrap, CDC_TOPIC, cdcLines);
    await produce(broker.bootstrap, 'crawl.pages', [0, 1, 2].map((i) => `http://site.test/p${i}\t${JSON.stringify(page(i))}`));
    await produce(broker.bootstrap, 'tracking.events', trackingLines);
    const worker = await startSinkWorker(
      sinkConfig({ topics: [CDC_TOPIC, 'crawl.pages', 'tracking.events'], root: `file://${root}`, bootstrapServers: broker.bootstrap, rotateIntervalMs: 300 }),
      { log: createLogger('sink', { level: 'warn' }) },
    );
    try {
      for (const topic of [CDC_TOPIC, 'crawl.pages', 'tracking.events']) await waitUntilCommitted(broker.bootstrap, 'tributary-hdfs-sink', topic, await endOffsets(broker.bootstrap, topic, 1), 60_000);
    } finally {
      await worker.close();
    }
  });
  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('CDC envelopes flatten to the row plus __ metadata, every digit kept, columns added mid-stream', async () => {
    const { rows } = await queryLanded(fs, `SELECT id, big, amount, name, note, __op, __deleted, __source_file, __source_pos FROM "${CDC_TOPIC}" ORDER BY kafka_offset`);
    assert.deepEqual(
      rows.map((row) => ({ ...row, __source_pos: Number(row.__source_pos) })),
      [
        { id: '1', big: '18446744073709551615', amount: '12345678901234567890.123456789', name: 'Zoë', note: null, __op: 'c', __deleted: false, __source_file: 'mariadb-bin.000001', __source_pos: 100 },
        { id: '1', big: '9007199254740993', amount: '0.000000001', name: 'Zoë B', note: null, __op: 'u', __deleted: false, __source_file: 'mariadb-bin.000001', __source_pos: 200 },
        { id: '1', big: '9007199254740993', amount: '0.000000001', name: 'Zoë B', note: null, __op: 'd', __deleted: true, __source_file: 'mariadb-bin.000001', __source_pos: 300 },
        { id: '2', big: '-1', amount: '-5.50', name: 'Ann', note: 'gift', __op: 'c', __deleted: false, __source_file: 'mariadb-bin.000001', __source_pos: 400 },
      ],
    );
  });

  test('crawl pages land typed', async () => {
    const { rows } = await queryLanded(fs, `SELECT url, status, depth, title, outlinks, fetched_at, body_bytes FROM "crawl.pages" ORDER BY kafka_offset`);
    assert.deepEqual(
      rows.map((row) => ({ ...row, fetched_at: (row.fetched_at as Date).toISOString(), body_bytes: Number(row.body_bytes) })),
      [0, 1, 2].map((i) => ({ url: `http://site.test/p${i}`, status: 200, depth: i, title: `Page ${i}`, outlinks: JSON.stringify([`http://site.test/p${i + 1}`]), fetched_at: '2026-11-25T06:00:00.000Z', body_bytes: 100 + i })),
    );
  });

  test('records that cannot be written go to <topic>.sink-dlq with the reason; the rest land', async () => {
    const { rows } = await queryLanded(fs, `SELECT event_id, json_extract_string(properties, '$.plan') AS plan FROM "tracking.events"`);
    assert.deepEqual(rows, [{ event_id: 'good-1', plan: 'pro' }]);
    const dead = await kcat(['-b', broker.bootstrap, '-C', '-t', 'tracking.events.sink-dlq', '-e', '-f', '%k|%s|%h\n'], { timeoutMs: 30_000 });
    assert.equal(dead.code, 0, dead.stderr);
    const lines = dead.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^a-2\|this is not json\|.*__connect\.errors\.topic=tracking\.events.*__connect\.errors\.offset=1.*__connect\.errors\.exception\.message=the value is not JSON/);
    assert.match(lines[1]!, /^a-3\|.*__connect\.errors\.exception\.message=event_time: expected an ISO 8601 time/);
  });

  test('the printed Hive DDL matches the schema of the landed files, with a partition per hour', async () => {
    for (const topic of [CDC_TOPIC, 'crawl.pages', 'tracking.events']) {
      const table = await describeLandedTable(fs, topic);
      const ddl = hiveDdl(table, `hdfs://nameservice1/landed/${topic}`);
      const ddlColumns = [...ddl.matchAll(/^ {2}`([^`]+)` (\w+)/gm)].map((m) => [m[1], m[2]]);
      const fileColumns = (await duckDbColumns(table.files.map((file) => fs.localPath(file)))).map(([name, type]) => [name, DUCKDB_TO_HIVE[type] ?? type]);
      assert.deepEqual(ddlColumns, fileColumns, `${topic}: DDL columns are the files' columns`);
      assert.match(ddl, /PARTITIONED BY \(`dt` STRING, `hour` STRING\)\nSTORED AS PARQUET\nLOCATION 'hdfs:\/\/nameservice1\/landed\//);
      assert.equal([...ddl.matchAll(/ADD IF NOT EXISTS PARTITION \(dt='\d{4}-\d{2}-\d{2}', hour='\d{2}'\)/g)].length, table.partitions.length);
    }
  });

  test('tributary sink hive-ddl and tributary query work on the landed root', () => {
    const ddl = spawnSync(process.execPath, [CLI, 'sink', 'hive-ddl', '--root', `file://${root}`], { encoding: 'utf8' });
    assert.equal(ddl.status, 0, ddl.stderr);
    for (const table of ['shop_inventory_orders', 'crawl_pages', 'tracking_events']) assert.match(ddl.stdout, new RegExp(`CREATE EXTERNAL TABLE IF NOT EXISTS \`${table}\``));
    const query = spawnSync(process.execPath, [CLI, 'query', 'SELECT count(*) AS pages, max(status) AS status FROM "crawl.pages"', '--root', `file://${root}`, '--output', 'json'], { encoding: 'utf8' });
    assert.equal(query.status, 0, query.stderr);
    assert.deepEqual(JSON.parse(query.stdout), [{ pages: 3, status: 200 }]);
    const bad = spawnSync(process.execPath, [CLI, 'query', '--root', `file://${root}`], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /give one SQL statement/);
  });

  test('a declared schema file types the columns of any topic', async () => {
    const schemas = join(dir, 'schemas.yaml');
    writeFileSync(schemas, 'topics:\n  orders.raw:\n    columns:\n      - { name: order_id, type: int64, path: id }\n      - { name: total, type: double }\n      - { name: placed_at, type: timestamp, path: meta.placed }\n');
    await produce(broker.bootstrap, 'orders.raw', [`k\t{"id":9007199254740993,"total":12.5,"meta":{"placed":"2026-11-25T05:00:00Z"}}`]);
    const declaredRoot = join(dir, 'declared');
    const worker = await startSinkWorker(
      sinkConfig({ topics: ['orders.raw'], root: `file://${declaredRoot}`, bootstrapServers: broker.bootstrap, rotateIntervalMs: 300, schemasFile: schemas, groupId: 'declared' }),
      { log: createLogger('sink', { level: 'warn' }) },
    );
    const declaredFs = new LocalFileSystem(declaredRoot);
    try {
      await waitUntilLanded(declaredFs, 'orders.raw', await endOffsets(broker.bootstrap, 'orders.raw', 1), 60_000);
    } finally {
      await worker.close();
    }
    const { rows } = await queryLanded(declaredFs, 'SELECT order_id, total, placed_at FROM "orders.raw"');
    assert.deepEqual(rows, [{ order_id: 9007199254740993n, total: 12.5, placed_at: new Date('2026-11-25T05:00:00Z') }]);
  });
});
