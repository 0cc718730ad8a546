import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@tributary/testkit';
import { comparePositions } from '../src/index.ts';
import { modeSettings, readTopic, type ConnectorMode as Mode } from './support/harness.ts';
import { replay } from './support/replay.ts';
import { useTestBed } from './support/test-bed.ts';

const bed = useTestBed();

const spawnConnector = (mode: Mode) => bed.spawnConnector(modeSettings(mode, bed.db.url, bed.broker.bootstrap, 200), mode.server);

/** Runs single-row statements (one transaction each) and counts the row changes. */
async function writeChanges(database: string, from: number, to: number): Promise<number> {
  let changes = 0;
  for (let id = from; id < to; id++) {
    await bed.db.sql(`INSERT INTO ${database}.t VALUES (?, ?)`, [id, id]);
    changes++;
    if (id % 3 === 0) {
      await bed.db.sql(`UPDATE ${database}.t SET v = v + 1000 WHERE id = ?`, [id - 1]);
      changes++;
    }
    if (id % 5 === 0) {
      await bed.db.sql(`DELETE FROM ${database}.t WHERE id = ?`, [id - 2]);
      changes++;
    }
  }
  return changes;
}

/** Streams changes, kills the connector with SIGKILL mid-stream, restarts it and checks what the topic holds. */
async function crashAndRestart(mode: Mode): Promise<{ changes: number; producedAtCrash: number; duplicates: number }> {
  const topic = `${mode.server}.${mode.database}.t`;
  const offsets = `${mode.server}-offsets`;
  await bed.db.sql(`CREATE DATABASE ${mode.database}`);
  await bed.db.sql(`CREATE TABLE ${mode.database}.t (id INT PRIMARY KEY, v INT NOT NULL)`);
  const first = spawnConnector(mode);
  await waitFor(async () => (await readTopic(bed.broker.bootstrap, offsets)).length > 0, { what: 'the snapshot offset', timeoutMs: 60_000 });

  let changes = 0;
  const writer = writeChanges(mode.database, 1, 3001).then((n) => (changes += n));
  await waitFor(async () => (await readTopic(bed.broker.bootstrap, topic)).length >= 800, { what: 'the stream to be under way', timeoutMs: 60_000 });
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  await writer;
  const storedAtCrash = (await readTopic(bed.broker.bootstrap, offsets)).map((r) => JSON.parse(r.value!) as { file: string; pos: number }).at(-1)!;
  const producedAtCrash = (await readTopic(bed.broker.bootstrap, topic)).length;

  spawnConnector(mode);
  changes += await writeChanges(mode.database, 3001, 4001);
  const expectedTable = new Map((await bed.db.sql(`SELECT id, v FROM ${mode.database}.t`)).map((row) => [String((row as { id: number }).id), row]));

  const records = (await waitFor(async () => {
    const all = await readTopic(bed.broker.bootstrap, topic);
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
  return { changes, producedAtCrash, duplicates: duplicates.length };
}

test('kill -9 mid-stream and restart: every change arrives, duplicates only after the stored position', async (t) => {
  const { changes, producedAtCrash, duplicates } = await crashAndRestart({ server: 'crash', serverId: 5401, database: 'app', exactlyOnce: false });
  t.diagnostic(`${changes} changes, ${producedAtCrash} records before the kill, ${duplicates} replayed after the restart`);
});

test('exactly.once: kill -9 mid-stream and restart, and read_committed consumers see every change exactly once', async (t) => {
  const { changes, producedAtCrash, duplicates } = await crashAndRestart({ server: 'crash-eo', serverId: 5402, database: 'appeo', exactlyOnce: true });
  assert.equal(duplicates, 0, 'no change is written twice: events and position commit together');
  t.diagnostic(`${changes} changes, ${producedAtCrash} records before the kill`);
});
