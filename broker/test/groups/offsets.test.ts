import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const HOUR = 3_600_000;

function tributary(args: string[]) {
  return spawnSync(process.execPath, [join(repo, 'cli/bin/tributary.mjs'), ...args], { encoding: 'utf8', cwd: repo });
}

/** Consumes with a group until `count` records arrived, committing after processing; returns the values. */
async function consumeGroup(kafka: InstanceType<typeof Kafka>, groupId: string, topic: string, count: number): Promise<string[]> {
  const values: string[] = [];
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await waitFor(() => values.length >= count, { what: `${count} records for ${groupId}`, timeoutMs: 30_000 });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe('committed offsets: durability, replay by time, the two auto-commit hazards', () => {
  let broker: BrokerInstance;
  let kafka: InstanceType<typeof Kafka>;
  const topic = 'ledger';
  const start = Date.now() - 10 * HOUR;
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
    kafka = new Kafka({ clientId: 'offsets-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    // Ten records per hour over ten hours.
    for (let hour = 0; hour < 10; hour++) {
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `${hour}:${i}`, timestamp: String(start + hour * HOUR + i) })) });
    }
    await producer.disconnect();
  });
  after(async () => broker?.stop());

  test('group state and committed offsets survive a broker restart', async () => {
    await consumeGroup(kafka, 'durable', topic, 100);
    const before = JSON.parse(tributary(['groups', 'describe', '--group', 'durable', '--bootstrap-server', broker.bootstrap, '--output', 'json']).stdout);
    assert.equal(before.reduce((sum: number, row: { currentOffset: number }) => sum + row.currentOffset, 0), 100);
    await broker.restart();
    const described = await waitFor(() => {
      const result = tributary(['groups', 'describe', '--group', 'durable', '--bootstrap-server', broker.bootstrap, '--output', 'json']);
      return result.status === 0 ? JSON.parse(result.stdout) : null;
    }, { what: 'the group described after the restart', timeoutMs: 30_000 });
    assert.deepEqual(described.map((row: { partition: number; currentOffset: number; lag: number }) => [row.partition, row.currentOffset, row.lag]), before.map((row: { partition: number; currentOffset: number; lag: number }) => [row.partition, row.currentOffset, 0]));
    const listed = JSON.parse(tributary(['groups', 'list', '--bootstrap-server', broker.bootstrap, '--output', 'json']).stdout);
    assert.ok(listed.some((group: { group: string }) => group.group === 'durable'));
    const metrics = await (await fetch(`http://127.0.0.1:${broker.adminPort}/metrics`)).text();
    assert.match(metrics, /tributary_broker_consumer_group_lag\{group="durable",topic="ledger",partition="0"\} 0/);
  });

  test('reset-offsets --to-datetime replays exactly the records at or after that time', async () => {
    await consumeGroup(kafka, 'replayer', topic, 100);
    const from = new Date(start + 7 * HOUR).toISOString();
    const dry = tributary(['groups', 'reset-offsets', '--group', 'replayer', '--topic', topic, '--to-datetime', from, '--dry-run', '--bootstrap-server', broker.bootstrap, '--output', 'json']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stderr, /dry run/);
    const executed = tributary(['groups', 'reset-offsets', '--group', 'replayer', '--topic', topic, '--to-datetime', from, '--execute', '--bootstrap-server', broker.bootstrap]);
    assert.equal(executed.status, 0, executed.stderr);
    const replayed = await consumeGroup(kafka, 'replayer', topic, 30);
    assert.deepEqual(replayed.map((value) => Number(value.split(':')[0])).sort(), Array.from({ length: 30 }, (_, i) => 7 + Math.floor(i / 10)));
    const usage = tributary(['groups', 'reset-offsets', '--group', 'replayer', '--topic', topic, '--to-earliest', '--bootstrap-server', broker.bootstrap]);
    assert.equal(usage.status, 2, 'neither --dry-run nor --execute is a usage error');
  });

  test('hazard 1: committing before processing loses records when the consumer crashes', async () => {
    const consumer = kafka.consumer({ groupId: 'commit-first', sessionTimeout: 10_000 });
    let processed = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let crashed = false;
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (crashed) return;
        // Commit first ...
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }]);
        // ... then crash after processing only part of the batch.
        processed += Math.floor(batch.messages.length / 2);
        crashed = true;
      },
    });
    await waitFor(() => crashed, { what: 'the first batch' });
    await consumer.disconnect();
    const afterRestart = await kafka.admin();
    await afterRestart.connect();
    const [offsets] = await afterRestart.fetchOffsets({ groupId: 'commit-first', topics: [topic] });
    await afterRestart.disconnect();
    const committedTotal = offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.ok(committedTotal > processed, `the restarted consumer would skip ${committedTotal - processed} records never processed`);
  });

  test('hazard 2: processing before committing duplicates records when the consumer crashes', async () => {
    const seen: string[] = [];
    const first = kafka.consumer({ groupId: 'process-first', sessionTimeout: 10_000 });
    await first.connect();
    await first.subscribe({ topic, fromBeginning: true });
    await first.run({ autoCommit: false, eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await waitFor(() => seen.length >= 100, { what: 'everything processed once' });
    // Crash before any commit: the work is done but not recorded.
    await first.disconnect();
    const again = await consumeGroup(kafka, 'process-first', topic, 100);
    const duplicates = again.filter((value) => seen.includes(value)).length;
    assert.equal(duplicates, 100, 'every processed record is delivered again');
  });
});
