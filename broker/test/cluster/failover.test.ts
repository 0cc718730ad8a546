import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { python, startCluster, waitFor } from '@tributary/testkit';
import { clusterClient, leadership, readAll, waitForLeadership, type StoredRecord } from './support.ts';

const TOPIC = 'failover';

test('6 partitions x RF 3 on 3 brokers: leaders spread 2-2-2; kill -9 a leader, then the controller: every acknowledged record survives exactly once and no consumer read a record that vanished', { timeout: 240_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3, config: { 'auto.leader.rebalance.enable': false } });
  t.after(() => cluster.stop());
  const kafka = clusterClient(cluster, 'failover-test');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });

  const initial = await leadership(admin, TOPIC);
  const perBroker = new Map<number, number>();
  for (const p of initial) perBroker.set(p.leader, (perBroker.get(p.leader) ?? 0) + 1);
  assert.deepEqual([...perBroker.values()].sort(), [2, 2, 2], `leaders per broker: ${JSON.stringify([...perBroker])}`);
  assert.ok(initial.every((p) => p.replicas.length === 3 && p.isr.length === 3));

  // A consumer reading all along: whatever it sees must still be there at the end.
  const consumed: StoredRecord[] = [];
  const consumer = kafka.consumer({ groupId: 'failover-watcher', maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void consumed.push({ partition, offset: Number(message.offset), value: message.value!.toString() }) });
  t.after(() => consumer.disconnect());

  // The producer is librdkafka (python3-confluent-kafka), idempotent with acks=all: it reports
  // which records the cluster acknowledged, and retries across leader changes on its own.
  const dir = mkdtempSync(join(tmpdir(), 'failover-'));
  const stopFile = join(dir, 'stop');
  const progressFile = join(dir, 'progress');
  const producerRun = python(fileURLToPath(new URL('./python/produce_until_stopped.py', import.meta.url)), [cluster.bootstrap(), TOPIC, stopFile, progressFile], { timeoutMs: 300_000 });
  const acknowledgedSoFar = () => (existsSync(progressFile) ? Number(readFileSync(progressFile, 'utf8')) : 0);
  const untilAcknowledged = async (more: number) => {
    const target = acknowledgedSoFar() + more;
    await waitFor(() => acknowledgedSoFar() >= target, { what: `${target} acknowledged records`, timeoutMs: 60_000 });
  };

  await untilAcknowledged(500);
  const { controller } = await admin.describeCluster();
  const victim = initial.find((p) => p.leader !== controller)!;
  await cluster.broker(victim.leader).kill9();
  await waitForLeadership(admin, TOPIC, `new leaders, and broker ${victim.leader} out of every ISR`, (ps) => ps.every((p) => p.leader !== victim.leader && p.leader >= 0 && !p.isr.includes(victim.leader)));
  await untilAcknowledged(500);

  await cluster.broker(victim.leader).restart();
  await waitForLeadership(admin, TOPIC, `broker ${victim.leader} back in every ISR`, (ps) => ps.every((p) => p.isr.length === 3), 60_000);

  const controllerBefore = (await admin.describeCluster()).controller!;
  await cluster.broker(controllerBefore).kill9();
  await waitFor(async () => {
    try {
      const { controller: now } = await admin.describeCluster();
      return now !== null && now !== controllerBefore && now >= 0;
    } catch {
      return false;
    }
  }, { what: 'a new controller', timeoutMs: 30_000 });
  await waitForLeadership(admin, TOPIC, 'leaders off the dead controller', (ps) => ps.every((p) => p.leader !== controllerBefore && p.leader >= 0));
  await untilAcknowledged(500);
  await cluster.broker(controllerBefore).restart();
  await waitForLeadership(admin, TOPIC, 'full ISRs again', (ps) => ps.every((p) => p.isr.length === 3), 60_000);
  writeFileSync(stopFile, '');
  const result = await producerRun;
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { acknowledged: string[]; errorCount: number; errors: string[]; unflushed: number; sent: number };
  const acknowledged = new Set(report.acknowledged);
  const attempted = new Set(Array.from({ length: report.sent }, (_, i) => `m-${i}`));

  const stored = await readAll(kafka, TOPIC);
  const counts = new Map<string, number>();
  for (const record of stored) counts.set(record.value, (counts.get(record.value) ?? 0) + 1);
  const lost = [...acknowledged].filter((value) => !counts.has(value));
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([value]) => value);
  assert.deepEqual(lost, [], 'acknowledged records lost');
  assert.deepEqual(duplicated, [], 'records stored twice');
  assert.ok([...counts.keys()].every((value) => attempted.has(value)), 'only produced values are stored');

  const byPosition = new Map(stored.map((r) => [`${r.partition}@${r.offset}`, r.value]));
  const vanished = consumed.filter((r) => byPosition.get(`${r.partition}@${r.offset}`) !== r.value);
  assert.deepEqual(vanished.slice(0, 5), [], 'a consumer read records that later vanished or changed');
  assert.ok(consumed.length > 0, 'the consumer kept reading through the failovers');
  t.diagnostic(`sent ${report.sent}, acknowledged ${acknowledged.size}, delivery errors ${report.errorCount} ${JSON.stringify(report.errors.slice(0, 2))}, stored ${stored.length}, consumed ${consumed.length}`);
});
