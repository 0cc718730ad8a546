import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startCluster, tributary, waitFor } from '@tributary/testkit';
import { clusterClient, readAll, waitForLeadership } from './support.ts';

const TOPIC = 'diverge';

test('a leader that dies with records its follower never fetched truncates them when it returns, and then matches the new leader', { timeout: 180_000 }, async (t) => {
  // A long lag time keeps the frozen follower in the ISR, so it may lead cleanly without the tail.
  const cluster = await startCluster({ brokers: 3, config: { 'auto.leader.rebalance.enable': false, 'replica.lag.time.max.ms': 60_000 } });
  t.after(() => cluster.stop());
  const kafka = clusterClient(cluster, 'truncation-test');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  // Both replicas off the controller, so killing the leader does not move the controller too.
  const { controller } = await admin.describeCluster();
  const [first, second] = [1, 2, 3].filter((id) => id !== controller) as [number, number];
  await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [first, second] }] }], waitForLeaders: true });
  await waitForLeadership(admin, TOPIC, `${first} leads with both in sync`, ([p]) => p!.leader === first && p!.isr.length === 2);

  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  const send = (values: string[], acks: number) => producer.send({ topic: TOPIC, acks, messages: values.map((value) => ({ value })) });
  await send(Array.from({ length: 10 }, (_, i) => `common-${i}`), -1);

  cluster.broker(second).pause();
  t.after(() => cluster.broker(second).resume());
  // A fetch the follower sent before freezing may be waiting at the leader: this record answers
  // it, so the tail below can only ever be on the leader.
  await send(['bridge'], 1);
  await send(Array.from({ length: 5 }, (_, i) => `tail-${i}`), 1);
  await cluster.broker(first).kill9();
  cluster.broker(second).resume();
  await waitForLeadership(admin, TOPIC, `${second} leads`, ([p]) => p!.leader === second);
  await send(Array.from({ length: 5 }, (_, i) => `after-${i}`), 1);

  await cluster.broker(first).restart();
  await waitForLeadership(admin, TOPIC, `${first} back in the ISR`, ([p]) => p!.isr.length === 2);
  await waitFor(() => /truncating divergent log tail/.test(readFileSync(cluster.broker(first).logPath, 'utf8')), { what: `broker ${first} logging its truncation`, timeoutMs: 10_000 });

  // Read through each replica in turn: the returned leader must hold exactly the new leader's log.
  const expectedHead = Array.from({ length: 10 }, (_, i) => `common-${i}`);
  const check = (values: string[], through: number) => {
    assert.deepEqual(values.slice(0, 10), expectedHead, `through broker ${through}`);
    assert.ok(!values.some((value) => value.startsWith('tail-')), `no tail record through broker ${through}: ${values.join(',')}`);
    assert.deepEqual(values.filter((value) => value.startsWith('after-')), Array.from({ length: 5 }, (_, i) => `after-${i}`), `through broker ${through}`);
  };
  const viaSecond = (await readAll(kafka, TOPIC)).map((record) => record.value);
  check(viaSecond, second);
  const elected = await tributary(['leader-election', '--election-type', 'preferred', '--topic', TOPIC, '--partition', '0', '--bootstrap-server', cluster.bootstrap()]);
  assert.equal(elected.code, 0, elected.stdout + elected.stderr);
  await waitForLeadership(admin, TOPIC, `${first} leads again`, ([p]) => p!.leader === first);
  const viaFirst = (await readAll(kafka, TOPIC)).map((record) => record.value);
  check(viaFirst, first);
  assert.deepEqual(viaFirst, viaSecond, 'both replicas hold the same log');
});
