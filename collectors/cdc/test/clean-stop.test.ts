import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@tributary/testkit';
import { modeSettings, readTopic, startConnector, type ConnectorMode, type TopicRecord } from './support/harness.ts';
import { useTestBed } from './support/test-bed.ts';

const bed = useTestBed();

/** Rows of the one big transaction: far more than a batch, so a stop lands inside it. */
const BIG = 1500;
const MARKER = 999_999;

interface Mode extends ConnectorMode {
  /** Rows produced before the stop: inside the first row event of the big transaction, or past its inserts. */
  stopAfterRows: number;
}

const settings = (mode: Mode) => modeSettings(mode, bed.db.url, bed.broker.bootstrap, 7);

/**
 * Small transactions, one transaction of inserts, updates and deletes (several row events, the
 * deletes two records each), more small transactions and a marker insert last. Returns how many
 * change events each `id:op` must have.
 */
async function writeWorkload(database: string): Promise<Map<string, number>> {
  const expected = new Map<string, number>();
  const expect = (ids: number[], op: string) => ids.forEach((id) => expected.set(`${id}:${op}`, (expected.get(`${id}:${op}`) ?? 0) + 1));
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  for (const id of range(1, 5)) await bed.db.sql(`INSERT INTO ${database}.t VALUES (?, ?)`, [id, id]);
  expect(range(1, 5), 'c');
  const values = range(1001, 1000 + BIG).map((id) => `(${id}, ${id})`).join(',');
  await bed.db.sql(`START TRANSACTION; INSERT INTO ${database}.t VALUES ${values}; UPDATE ${database}.t SET v = v + 1 WHERE id BETWEEN 1001 AND 1300; DELETE FROM ${database}.t WHERE id BETWEEN 1301 AND 1400; COMMIT`);
  expect(range(1001, 1000 + BIG), 'c');
  expect(range(1001, 1300), 'u');
  expect(range(1301, 1400), 'd');
  for (const id of range(1, 5)) await bed.db.sql(`UPDATE ${database}.t SET v = v + 10 WHERE id = ?`, [id]);
  expect(range(1, 5), 'u');
  await bed.db.sql(`DELETE FROM ${database}.t WHERE id = 5`);
  expect([5], 'd');
  await bed.db.sql(`INSERT INTO ${database}.t VALUES (?, 0)`, [MARKER]);
  expect([MARKER], 'c');
  return expected;
}

function countEvents(records: TopicRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) {
    if (record.value === null) continue;
    const event = JSON.parse(record.value) as { op: string; before: { id: number } | null; after: { id: number } | null };
    const key = `${(event.after ?? event.before)!.id}:${event.op}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const sorted = (counts: Map<string, number>) => [...counts].sort(([a], [b]) => a.localeCompare(b));

async function stopMidStreamAndRestart(mode: Mode): Promise<{ producedAtStop: number; storedAtStop: { event?: number; row?: number } }> {
  const topic = `${mode.server}.${mode.database}.t`;
  const offsets = `${mode.server}-offsets`;
  await bed.db.sql(`CREATE DATABASE ${mode.database}`);
  await bed.db.sql(`CREATE TABLE ${mode.database}.t (id INT PRIMARY KEY, v INT NOT NULL)`);
  bed.connector = await startConnector(settings(mode));
  const expected = await writeWorkload(mode.database);
  const total = [...expected.values()].reduce((n, c) => n + c, 0);

  const running = bed.connector;
  await waitFor(() => running.currentStatus().rowsTotal >= mode.stopAfterRows, { what: 'the big transaction to be under way', timeoutMs: 60_000, intervalMs: 10 });
  await running.stop();
  bed.connector = null;
  const producedAtStop = countEvents(await readTopic(bed.broker.bootstrap, topic));
  const producedCount = [...producedAtStop.values()].reduce((n, c) => n + c, 0);
  assert.ok(producedCount > 5 && producedCount < total, `stopped mid-stream: ${producedCount} of ${total} change events produced`);
  const storedAtStop = JSON.parse((await readTopic(bed.broker.bootstrap, offsets)).at(-1)!.value!) as { event?: number; row?: number };
  assert.ok(storedAtStop.event !== undefined || storedAtStop.row !== undefined, `the stop fell inside the big transaction: ${JSON.stringify(storedAtStop)}`);

  bed.connector = await startConnector(settings(mode));
  const records = await waitFor(async () => {
    const all = await readTopic(bed.broker.bootstrap, topic);
    return countEvents(all).has(`${MARKER}:c`) ? all : null;
  }, { what: 'the marker change after the restart', timeoutMs: 120_000 });
  assert.deepEqual(sorted(countEvents(records)), sorted(expected), 'every change event exactly once');
  await bed.connector.stop();
  bed.connector = null;
  return { producedAtStop: producedCount, storedAtStop };
}

test('clean stop inside a row event and restart: every change event exactly once', async (t) => {
  const { producedAtStop, storedAtStop } = await stopMidStreamAndRestart({ server: 'stop', serverId: 5411, database: 'app', exactlyOnce: false, stopAfterRows: 100 });
  t.diagnostic(`${producedAtStop} change events before the stop, stored ${JSON.stringify(storedAtStop)}`);
});

test('exactly.once: clean stop after whole row events of a transaction and restart: every change event exactly once', async (t) => {
  const { producedAtStop, storedAtStop } = await stopMidStreamAndRestart({ server: 'stop-eo', serverId: 5412, database: 'appeo', exactlyOnce: true, stopAfterRows: 5 + BIG + 100 });
  assert.ok((storedAtStop.event ?? 0) >= 1, `the insert events are passed over whole: ${JSON.stringify(storedAtStop)}`);
  t.diagnostic(`${producedAtStop} change events before the stop, stored ${JSON.stringify(storedAtStop)}`);
});
