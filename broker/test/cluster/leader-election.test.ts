import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, tributary, waitFor } from '@tributary/testkit';
import { clusterClient, waitForLeadership } from './support.ts';

test('tributary leader-election: preferred leaders take their partitions back; an unclean election revives an offline partition; refusals name the reason', { timeout: 180_000 }, async (t) => {
  const cluster = await startCluster({ brokers: 3, config: { 'auto.leader.rebalance.enable': false } });
  t.after(() => cluster.stop());
  const kafka = clusterClient(cluster, 'leader-election-test');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const elect = (...args: string[]) => tributary(['leader-election', ...args, '--bootstrap-server', cluster.bootstrap()]);
  // Kafka's preferred leader is the first replica in assignment order, which Metadata keeps.
  const preferred = async (topic: string) => new Map((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.map((p) => [p.partitionId, p.replicas[0]!]));

  await admin.createTopics({ topics: [{ topic: 'spread', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  const firstReplica = await preferred('spread');
  await cluster.broker(1).stop();
  await waitForLeadership(admin, 'spread', 'leadership off broker 1', (ps) => ps.every((p) => p.leader !== 1 && p.leader >= 0));
  await cluster.broker(1).restart();
  await waitForLeadership(admin, 'spread', 'broker 1 back in every ISR', (ps) => ps.every((p) => p.isr.includes(1)));
  const moved = (await waitForLeadership(admin, 'spread', 'leaders', () => true)).filter((p) => p.leader !== firstReplica.get(p.partition));
  assert.ok(moved.length > 0, 'a partition whose preferred leader is broker 1 is led elsewhere while auto rebalance is off');

  const run = await elect('--election-type', 'preferred', '--all-topic-partitions');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`Successfully completed leader election \\(PREFERRED\\) for partitions .*spread-${moved[0]!.partition}`));
  await waitForLeadership(admin, 'spread', 'preferred leaders', (ps) => ps.every((p) => p.leader === firstReplica.get(p.partition)));

  const again = await elect('--election-type', 'preferred', '--topic', 'spread', '--partition', '0');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Valid replica already elected for partitions spread-0/);

  const planFile = join(mkdtempSync(join(tmpdir(), 'election-')), 'partitions.json');
  writeFileSync(planFile, JSON.stringify({ partitions: [{ topic: 'no-such-topic', partition: 0 }] }));
  const unknown = await elect('--election-type', 'preferred', '--path-to-json-file', planFile);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, /no-such-topic-0: UNKNOWN_TOPIC_OR_PARTITION/);
  const usage = await elect('--election-type', 'sideways', '--all-topic-partitions');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /preferred or unclean/);

  // kafkajs retries Metadata for as long as a partition has no leader, so watch it as an operator would.
  const lonelyUntil = (what: string, check: (p: { leader: number; isr: number[] }) => boolean) =>
    waitFor(async () => {
      const described = await tributary(['topics', 'describe', '--topic', 'lonely', '--bootstrap-server', cluster.bootstrap(), '--output', 'json']);
      return described.code === 0 && check((JSON.parse(described.stdout) as Array<{ leader: number; isr: number[] }>)[0]!);
    }, { what, timeoutMs: 30_000 });
  // Replicas 2 and 3; 3 falls out of the ISR, then 2 dies: offline, and 3 may not lead cleanly.
  await admin.createTopics({ topics: [{ topic: 'lonely', replicaAssignment: [{ partition: 0, replicas: [2, 3] }] }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({ topic: 'lonely', acks: -1, messages: [{ value: 'both replicas have me' }] });
  await cluster.broker(3).kill9();
  await lonelyUntil('broker 3 out of the ISR', (p) => p.isr.length === 1 && p.leader === 2);
  await cluster.broker(2).kill9();
  await cluster.broker(3).restart();
  await lonelyUntil('lonely offline', (p) => p.leader === -1);
  const described = await tributary(['cluster', 'describe', '--bootstrap-server', cluster.bootstrap(), '--output', 'json']);
  assert.equal(described.code, 0, described.stderr);
  assert.deepEqual((JSON.parse(described.stdout) as { offlinePartitions: Array<{ topic: string; partition: number }> }).offlinePartitions.map((p) => `${p.topic}-${p.partition}`), ['lonely-0']);

  const refused = await elect('--election-type', 'preferred', '--topic', 'lonely', '--partition', '0');
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /lonely-0: PREFERRED_LEADER_NOT_AVAILABLE: the preferred replica 2 is not alive/);
  const unclean = await elect('--election-type', 'unclean', '--topic', 'lonely', '--partition', '0');
  assert.equal(unclean.code, 0, unclean.stdout + unclean.stderr);
  assert.match(unclean.stdout, /Successfully completed leader election \(UNCLEAN\) for partitions lonely-0/);
  await lonelyUntil('broker 3 leads lonely', (p) => p.leader === 3 && p.isr.join() === '3');
  await producer.send({ topic: 'lonely', acks: 1, messages: [{ value: 'after the unclean election' }] });
  const spread = await elect('--election-type', 'unclean', '--topic', 'spread', '--partition', '0');
  assert.match(spread.stdout, /Valid replica already elected for partitions spread-0/);
});
