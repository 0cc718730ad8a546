import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@tributary/testkit';
import { readTopic, startConnector } from './support/harness.ts';
import { replay } from './support/replay.ts';
import { useTestBed } from './support/test-bed.ts';

const bed = useTestBed();

const ROWS = 100_000;

test('snapshot of 100k rows under concurrent inserts, updates and deletes: the topic replays to the final table', async (t) => {
  await bed.db.sql('CREATE DATABASE app');
  await bed.db.sql('CREATE TABLE app.big (id INT PRIMARY KEY, v INT NOT NULL, s VARCHAR(40) NOT NULL)');
  await bed.db.sql(`INSERT INTO app.big SELECT seq, seq, CONCAT('row-', seq) FROM app.seq_1_to_${ROWS}`);

  let snapshotDone = false;
  let statements = 0;
  const writer = (async () => {
    let next = ROWS + 1;
    // Keeps writing while the snapshot runs, and a little after, so changes straddle its position.
    for (let round = 0; !snapshotDone || round % 50 !== 0; round++) {
      const id = 1 + ((round * 7919) % ROWS);
      await bed.db.sql('UPDATE app.big SET v = v + 1, s = ? WHERE id = ?', [`upd-${round}`, id]);
      await bed.db.sql('DELETE FROM app.big WHERE id = ?', [1 + ((round * 104729) % ROWS)]);
      await bed.db.sql('INSERT INTO app.big VALUES (?, ?, ?)', [next, next, `new-${next}`]);
      next++;
      if (round % 20 === 0) await bed.db.sql('UPDATE app.big SET v = v * 2 WHERE id BETWEEN ? AND ?', [id, id + 30]);
      statements += round % 20 === 0 ? 4 : 3;
    }
  })();
  bed.connector = await startConnector({ mysql: bed.db.url, 'server.name': 'snap', 'bootstrap.servers': bed.broker.bootstrap, 'status.port': 0, 'snapshot.fetch.size': 5000 });
  snapshotDone = true;
  await writer;

  const final = new Map((await bed.db.sql('SELECT id, v, s FROM app.big')).map((row) => [String((row as { id: number }).id), row as Record<string, unknown>]));
  const result = (await waitFor(async () => {
    const records = await readTopic(bed.broker.bootstrap, 'snap.app.big');
    const replayed = replay(records, (row) => String(row.id));
    if (replayed.table.size !== final.size) return null;
    for (const [id, row] of final) if (JSON.stringify(replayed.table.get(id)) !== JSON.stringify(row)) return null;
    return { records, ...replayed };
  }, { what: 'the topic to replay to the final table', timeoutMs: 120_000, intervalMs: 1000 }))!;

  const snapshotRows = result.applied.filter((e) => e.op === 'r');
  const snapshotIds = new Set(snapshotRows.map((e) => String(e.after!.id)));
  assert.equal(snapshotIds.size, snapshotRows.length, 'no row read twice by the snapshot');
  assert.equal(snapshotRows.at(-1)!.source.snapshot, 'last');
  assert.equal(result.duplicates.length, 0, 'no change both in the snapshot and in the stream');
  t.diagnostic(`${snapshotRows.length} snapshot rows, ${result.applied.length - snapshotRows.length} streamed changes from ${statements} statements, ${final.size} rows at the end`);
});
