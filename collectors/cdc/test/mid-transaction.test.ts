import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, waitFor } from '@tributary/testkit';
import { modeSettings, readTopic, startConnector, type ConnectorMode, type TopicRecord } from './support/harness.ts';
import { useTestBed } from './support/test-bed.ts';

const bed = useTestBed();

/** Rows of the one big transaction: far more than a batch, so a stop lands inside it. */
const BIG = 1500;
/** A connector in its own process streams BIG rows in about a second; this many give a kill time to land inside. */
const HUGE = 30_000;
const MARKER = 999_999;

interface Mode extends ConnectorMode {
  /** Rows produced before the stop: inside the first row event of the big transaction, or past its inserts. */
  stopAfterRows: number;
}

/** Small enough that a batch ends inside transactions and inside row events. */
const MAX_BATCH = 7;
const settings = (mode: ConnectorMode) => modeSettings(mode, bed.db.url, bed.broker.bootstrap, MAX_BATCH);

/**
 * Small transactions, one transaction of inserts, updates and deletes (several row events, the
 * deletes two records each), more small transactions and a marker insert last. Returns how many
 * change events each `id:op` must have.
 */
async function writeWorkload(database: string, big = BIG): Promise<Map<string, number>> {
  const expected = new Map<string, number>();
  const expect = (ids: number[], op: string) => ids.forEach((id) => expected.set(`${id}:${op}`, (expected.get(`${id}:${op}`) ?? 0) + 1));
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  for (const id of range(1, 5)) await bed.db.sql(`INSERT INTO ${database}.t VALUES (?, ?)`, [id, id]);
  expect(range(1, 5), 'c');
  const values = range(1001, 1000 + big).map((id) => `(${id}, ${id})`).join(',');
  await bed.db.sql(`START TRANSACTION; INSERT INTO ${database}.t VALUES ${values}; UPDATE ${database}.t SET v = v + 1 WHERE id BETWEEN 1001 AND 1300; DELETE FROM ${database}.t WHERE id BETWEEN 1301 AND 1400; COMMIT`);
  expect(range(1001, 1000 + big), 'c');
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

interface Stored {
  event?: number;
  row?: number;
}

const lastStored = async (mode: ConnectorMode): Promise<Stored> => JSON.parse((await readTopic(bed.broker.bootstrap, `${mode.server}-offsets`)).at(-1)!.value!) as Stored;
const insideTransaction = (stored: Stored) => stored.event !== undefined || stored.row !== undefined;

async function createTable(mode: ConnectorMode): Promise<void> {
  await bed.db.sql(`CREATE DATABASE ${mode.database}`);
  await bed.db.sql(`CREATE TABLE ${mode.database}.t (id INT PRIMARY KEY, v INT NOT NULL)`);
}

/** The marker is the last change written: once it is on the topic, so is every repeat a restart makes. */
async function waitForMarker(mode: ConnectorMode): Promise<Map<string, number>> {
  return waitFor(async () => {
    const counts = countEvents(await readTopic(bed.broker.bootstrap, `${mode.server}.${mode.database}.t`));
    return counts.has(`${MARKER}:c`) ? counts : null;
  }, { what: 'the marker change after the restart', timeoutMs: 120_000 });
}

async function stopMidStreamAndRestart(mode: Mode): Promise<{ producedAtStop: number; storedAtStop: Stored }> {
  await createTable(mode);
  bed.connector = await startConnector(settings(mode));
  const expected = await writeWorkload(mode.database);
  const total = [...expected.values()].reduce((n, c) => n + c, 0);

  const running = bed.connector;
  await waitFor(() => running.currentStatus().rowsTotal >= mode.stopAfterRows, { what: 'the big transaction to be under way', timeoutMs: 60_000, intervalMs: 10 });
  await running.stop();
  bed.connector = null;
  const producedAtStop = countEvents(await readTopic(bed.broker.bootstrap, `${mode.server}.${mode.database}.t`));
  const producedCount = [...producedAtStop.values()].reduce((n, c) => n + c, 0);
  assert.ok(producedCount > 5 && producedCount < total, `stopped mid-stream: ${producedCount} of ${total} change events produced`);
  const storedAtStop = await lastStored(mode);
  assert.ok(insideTransaction(storedAtStop), `the stop fell inside the big transaction: ${JSON.stringify(storedAtStop)}`);

  bed.connector = await startConnector(settings(mode));
  assert.deepEqual(sorted(await waitForMarker(mode)), sorted(expected), 'every change event exactly once');
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

test('kill -9 with the position stored inside a transaction: no change lost, repeats only of the one batch produced after it', async (t) => {
  const mode: ConnectorMode = { server: 'kill', serverId: 5413, database: 'appkill', exactlyOnce: false };
  await createTable(mode);
  const statusUrl = `http://127.0.0.1:${await freePort()}/status`;
  const first = bed.spawnConnector({ ...settings(mode), 'status.port': Number(new URL(statusUrl).port) }, mode.server);
  await waitFor(async () => (await fetch(statusUrl)).ok, { what: 'the connector to stream', timeoutMs: 60_000 });
  const expected = await writeWorkload(mode.database, HUGE);
  // The status answers in milliseconds; reading the offsets topic takes seconds, by when the transaction is over.
  await waitFor(async () => {
    const { storedPosition } = (await (await fetch(statusUrl)).json()) as { storedPosition: Stored | null };
    return storedPosition !== null && insideTransaction(storedPosition);
  }, { what: 'a position stored inside the big transaction', timeoutMs: 60_000, intervalMs: 5 });
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const storedAtKill = await lastStored(mode);
  assert.ok(insideTransaction(storedAtKill), `killed inside the big transaction: ${JSON.stringify(storedAtKill)}`);

  bed.spawnConnector(settings(mode), mode.server);
  const counts = await waitForMarker(mode);
  assert.deepEqual([...expected.keys()].filter((key) => !counts.has(key)), [], 'no change lost');
  assert.deepEqual([...counts.keys()].filter((key) => !expected.has(key)), [], 'no change made up');
  // The offset is stored after each acknowledged batch, so at most the batch in flight at the kill comes again.
  const repeats = [...counts].reduce((n, [key, count]) => n + count - expected.get(key)!, 0);
  assert.ok(repeats <= MAX_BATCH, `${repeats} change events repeated; at most one batch of ${MAX_BATCH} may be`);
  t.diagnostic(`${repeats} repeated after the kill, stored ${JSON.stringify(storedAtKill)}`);
});
