import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, waitFor } from '@tributary/testkit';
import { ZkClient } from '../../src/zookeeper/zk-client.ts';
import { clusterClient, leadership, readAll, waitForLeadership } from './support.ts';

const TOPIC = 'isr';

test('a stopped follower leaves the ISR; acks=all works while 2 are in sync and fails with NOT_ENOUGH_REPLICAS at 1; returning followers catch up and rejoin', { timeout: 180_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3, config: { 'auto.leader.rebalance.enable': false } });
  t.after(() => cluster.stop());
  const kafka = clusterClient(cluster, 'isr-test');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
  const [initial] = await leadership(admin, TOPIC);
  const leader = initial!.leader;
  const [first, second] = initial!.replicas.filter((id) => id !== leader) as [number, number];

  // The console on any broker shows the whole cluster.
  const overview = await (await fetch(`http://127.0.0.1:${cluster.broker(first).adminPort}/api/console/overview`)).json() as { controllerId: number; brokers: Array<{ brokerId: number; isController: boolean; partitions: number }> };
  assert.deepEqual(overview.brokers.map((b) => b.brokerId), [1, 2, 3]);
  assert.equal(overview.brokers.filter((b) => b.isController).length, 1);
  assert.ok(overview.brokers.every((b) => b.partitions >= 1));

  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  t.after(() => producer.disconnect());
  let sent = 0;
  const send = (count: number) => producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: Array.from({ length: count }, () => ({ value: `r-${sent++}` })) });
  await send(100);

  await cluster.broker(first).stop();
  await waitForLeadership(admin, TOPIC, `broker ${first} out of the ISR`, ([p]) => p!.isr.length === 2 && !p!.isr.includes(first));
  await send(100);

  await cluster.broker(second).kill9();
  await waitForLeadership(admin, TOPIC, `only the leader in the ISR`, ([p]) => p!.isr.length === 1 && p!.leader === leader);
  const before = sent;
  await assert.rejects(send(10), (error: Error & { type?: string; cause?: { type?: string } }) => {
    const type = error.type ?? error.cause?.type ?? '';
    return /NOT_ENOUGH_REPLICAS/.test(type) || /enough in-sync replicas|NOT_ENOUGH_REPLICAS/i.test(error.message);
  });
  sent = before;

  await cluster.broker(first).restart();
  await cluster.broker(second).restart();
  await waitForLeadership(admin, TOPIC, 'both followers back in the ISR', ([p]) => p!.isr.length === 3, 60_000);
  await send(100);

  const records = await readAll(kafka, TOPIC);
  const values = records.map((r) => r.value);
  for (let i = 0; i < 200; i++) assert.ok(values.includes(`r-${i}`), `r-${i} acknowledged before the failures is readable`);
  assert.equal(new Set(values).size, values.length, 'no record stored twice');

  // Every replica holds the same log: the returning followers caught up.
  const ends = await Promise.all([leader, first, second].map(async (id) => {
    const response = await fetch(`http://127.0.0.1:${cluster.broker(id).adminPort}/metrics`);
    const text = await response.text();
    const line = text.split('\n').find((l) => l.startsWith('tributary_broker_log_end_offset{') && l.includes(`topic="${TOPIC}"`));
    return Number(line?.split(' ').at(-1));
  }));
  assert.ok(ends.every((end) => end === ends[0]), `log end offsets on the three replicas: ${ends}`);

  // Kafka's older reassignment path: a plan written to /admin/reassign_partitions.
  const zk = await ZkClient.connect(cluster.zookeeper.connectString, 4000, 10_000);
  t.after(() => zk.close());
  await zk.create('/admin/reassign_partitions', Buffer.from(JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [first, second] }] })));
  await waitForLeadership(admin, TOPIC, 'the partition moved to the plan in /admin/reassign_partitions', ([p]) => p!.replicas.join() === [first, second].sort().join() && p!.leader === first, 60_000);
  await waitFor(async () => !(await zk.exists('/admin/reassign_partitions')), { what: 'the controller removing /admin/reassign_partitions' });
  // A new leader's high watermark catches up once its followers fetch from it.
  await waitFor(async () => Number((await admin.fetchTopicOffsets(TOPIC))[0]!.high) === records.length, { what: 'the new leader high watermark reaching the log end' });
  const kept = await readAll(kafka, TOPIC);
  assert.equal(kept.length, records.length, 'nothing lost in the move');
});
