import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@tributary/testkit';
import { readTopic, startConnector, type TopicRecord } from './support/harness.ts';
import { useTestBed } from './support/test-bed.ts';

const bed = useTestBed();

const settings = () => ({ mysql: bed.db.url, 'server.name': 'ddl', 'bootstrap.servers': bed.broker.bootstrap, 'status.port': 0, 'heartbeat.interval.ms': 200 });

async function waitForRecords(topic: string, count: number): Promise<TopicRecord[]> {
  return (await waitFor(async () => {
    const records = await readTopic(bed.broker.bootstrap, topic);
    return records.length >= count ? records : null;
  }, { what: `${count} records on ${topic}`, timeoutMs: 60_000 }))!;
}

const parse = (record: TopicRecord) => JSON.parse(record.value!) as { op: string; before: unknown; after: unknown };

test('ADD and DROP COLUMN mid-stream: each row decoded with the columns of its time, also after a restart', async () => {
  await bed.db.sql('CREATE DATABASE app');
  await bed.db.sql('CREATE TABLE app.p (id INT PRIMARY KEY, a INT)');
  bed.connector = await startConnector(settings());

  await bed.db.sql('INSERT INTO app.p VALUES (1, 10)');
  await bed.db.sql("ALTER TABLE app.p ADD COLUMN b VARCHAR(10) NOT NULL DEFAULT 'x'");
  await bed.db.sql("INSERT INTO app.p VALUES (2, 20, 'y')");
  await bed.db.sql('ALTER TABLE app.p DROP COLUMN a');
  await bed.db.sql("INSERT INTO app.p VALUES (3, 'z')");
  await bed.db.sql("UPDATE app.p SET b = 'w' WHERE id = 1");
  const live = (await waitForRecords('ddl.app.p', 4)).map(parse);
  assert.deepEqual(live.map((e) => [e.op, e.before, e.after]), [
    ['c', null, { id: 1, a: 10 }],
    ['c', null, { id: 2, a: 20, b: 'y' }],
    ['c', null, { id: 3, b: 'z' }],
    ['u', { id: 1, b: 'x' }, { id: 1, b: 'w' }],
  ]);

  // While the bed.connector is down the table changes twice; on restart the schema history topic must
  // give back the columns as they were at the stored position.
  await bed.connector.stop();
  bed.connector = null;
  await bed.db.sql("INSERT INTO app.p VALUES (4, 'q')");
  await bed.db.sql('ALTER TABLE app.p ADD COLUMN c INT AFTER id, MODIFY COLUMN b VARCHAR(20)');
  await bed.db.sql("INSERT INTO app.p VALUES (5, 5, 'r')");
  await bed.db.sql('ALTER TABLE app.p CHANGE COLUMN c cc BIGINT UNSIGNED');
  await bed.db.sql("INSERT INTO app.p VALUES (6, 18446744073709551615, 's')");
  bed.connector = await startConnector(settings());
  // A clean stop stores the position of the last produced change: nothing before it comes again.
  const all = (await waitForRecords('ddl.app.p', 7)).map(parse);
  assert.deepEqual(all.slice(4).map((e) => [e.op, e.after]), [
    ['c', { id: 4, b: 'q' }],
    ['c', { id: 5, c: 5, b: 'r' }],
    ['c', { id: 6, cc: 18446744073709552000, b: 's' }],
  ]);

  const ddl = await waitForRecords('ddl', 4);
  const statements = ddl.map((r) => (JSON.parse(r.value!) as { ddl: string }).ddl);
  assert.ok(statements[0]!.includes('ADD COLUMN b'), statements.join(' | '));
  assert.ok(statements.some((s) => s.includes('CHANGE COLUMN c cc')), statements.join(' | '));
});
