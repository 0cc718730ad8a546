import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { comparePositions } from '../src/index.ts';
import { startMariaDb, type MariaDb } from './support/mariadb.ts';
import { readTopic } from './support/harness.ts';
import { replay } from './support/replay.ts';

let db: MariaDb;
let broker: BrokerInstance;
const children: ChildProcess[] = [];

before(async () => {
  [db, broker] = await Promise.all([startMariaDb(), startBroker()]);
});

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all([db?.stop(), broker?.stop()]);
});

function spawnConnector(): ChildProcess {
  const script = fileURLToPath(new URL('./support/connector-process.ts', import.meta.url));
  const settings = { mysql: db.url, 'server.name': 'crash', 'bootstrap.servers': broker.bootstrap, 'status.port': 0, 'max.batch.size': 200 };
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

/** Runs single-row statements (one transaction each) and counts the row changes. */
async function writeChanges(from: number, to: number): Promise<number> {
  let changes = 0;
  for (let id = from; id < to; id++) {
    await db.sql('INSERT INTO app.t VALUES (?, ?)', [id, id]);
    changes++;
    if (id % 3 === 0) {
      await db.sql('UPDATE app.t SET v = v + 1000 WHERE id = ?', [id - 1]);
      changes++;
    }
    if (id % 5 === 0) {
      await db.sql('DELETE FROM app.t WHERE id = ?', [id - 2]);
      changes++;
    }
  }
  return changes;
}

test('kill -9 mid-stream and restart: every change arrives, duplicates only after the stored position', async (t) => {
  await db.sql('CREATE DATABASE app');
  await db.sql('CREATE TABLE app.t (id INT PRIMARY KEY, v INT NOT NULL)');
  const first = spawnConnector();
  await waitFor(async () => (await readTopic(broker.bootstrap, 'tributary-cdc-offsets')).length > 0, { what: 'the snapshot offset', timeoutMs: 60_000 });

  let changes = 0;
  const writer = writeChanges(1, 3001).then((n) => (changes += n));
  await waitFor(async () => (await readTopic(broker.bootstrap, 'crash.app.t')).length >= 800, { what: 'the stream to be under way', timeoutMs: 60_000 });
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  await writer;
  const storedAtCrash = (await readTopic(broker.bootstrap, 'tributary-cdc-offsets')).map((r) => JSON.parse(r.value!) as { file: string; pos: number }).at(-1)!;
  const producedAtCrash = (await readTopic(broker.bootstrap, 'crash.app.t')).length;

  spawnConnector();
  changes += await writeChanges(3001, 4001);
  const expectedTable = new Map((await db.sql('SELECT id, v FROM app.t')).map((row) => [String((row as { id: number }).id), row]));

  const records = (await waitFor(async () => {
    const all = await readTopic(broker.bootstrap, 'crash.app.t');
    const { applied } = replay(all, (row) => String(row.id));
    return applied.length >= changes ? all : null;
  }, { what: `all ${changes} changes on the topic`, timeoutMs: 120_000 }))!;

  const { table, duplicates, applied } = replay(records, (row) => String(row.id));
  assert.equal(applied.length, changes, 'each source change exactly once after dropping replays');
  assert.equal(table.size, expectedTable.size);
  for (const [id, row] of expectedTable) assert.deepEqual(table.get(id), row, `row ${id}`);
  for (const duplicate of duplicates) {
    assert.ok(comparePositions(duplicate.source, storedAtCrash) >= 0, `duplicate at ${duplicate.source.file}:${duplicate.source.pos} lies before the stored position ${storedAtCrash.file}:${storedAtCrash.pos}`);
  }
  t.diagnostic(`${changes} changes, ${producedAtCrash} records before the kill, ${duplicates.length} replayed after the restart`);
});
