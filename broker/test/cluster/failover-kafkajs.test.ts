import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, waitFor } from '@tributary/testkit';
import { clusterClient, leadership, readAll, waitForLeadership } from './support.ts';

const TOPIC = 'failover-kafkajs';

test('kafkajs follows leadership: kill -9 a partition leader under an acks=all stream; every acknowledged record is readable exactly once', { timeout: 180_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3, config: { 'auto.leader.rebalance.enable': false } });
  t.after(() => cluster.stop());
  const kafka = clusterClient(cluster, 'failover-kafkajs');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
  const initial = await leadership(admin, TOPIC);

  // One partition per send, so a failed send is one partition's batch: kafkajs then resends the
  // same records with the same sequence numbers, and the broker's duplicate check applies.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.after(() => producer.disconnect());
  const acknowledged = new Set<string>();
  let sent = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const partition = sent % 3;
      const values = Array.from({ length: 10 }, (_, i) => `k-${sent}-${i}`);
      sent++;
      for (;;) {
        try {
          await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ value, partition })) });
          values.forEach((value) => acknowledged.add(value));
          break;
        } catch {
          if (stop) return;
        }
      }
    }
  })();
  const until = async (count: number) => waitFor(() => acknowledged.size >= count, { what: `${count} acknowledged`, timeoutMs: 60_000 });
  await until(1000);
  const { controller } = await admin.describeCluster();
  const victim = initial.find((p) => p.leader !== controller)!.leader;
  await cluster.broker(victim).kill9();
  await waitForLeadership(admin, TOPIC, 'new leaders', (ps) => ps.every((p) => p.leader >= 0 && p.leader !== victim && !p.isr.includes(victim)));
  await until(acknowledged.size + 1000);
  stop = true;
  await loop;
  // The reader's consumer group needs __consumer_offsets, created with 3 replicas: 3 live brokers.
  await cluster.broker(victim).restart();

  const stored = await readAll(kafka, TOPIC);
  const counts = new Map<string, number>();
  for (const record of stored) counts.set(record.value, (counts.get(record.value) ?? 0) + 1);
  assert.deepEqual([...acknowledged].filter((value) => !counts.has(value)).slice(0, 5), [], 'acknowledged records lost');
  assert.deepEqual([...counts].filter(([, n]) => n > 1).slice(0, 5), [], 'records stored twice');
  t.diagnostic(`acknowledged ${acknowledged.size}, stored ${stored.length}`);
});
