import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { type Admin } from 'kafkajs';
import { startCluster, tributary, waitFor, type BrokerInstance, type ClusterInstance } from '@tributary/testkit';
import { clusterClient, stopCluster } from './support.ts';

const { ConfigResourceTypes } = kafkajs;

const TOPIC = 'heavy';
const RATE = 200_000;
// replica.fetch.max.bytes: the most one follower fetch of the partition can carry.
const FETCH_MAX_BYTES = 1_048_576;
// 100 KB batches: a throttled fetch takes whole batches, so they stay below a second's worth.
const BATCHES = 60;
const RECORDS_PER_BATCH = 10;
const VALUE = 'x'.repeat(10_000);

/** Bytes of the partition's log segments on a broker's disk. */
const bytesOnDisk = (broker: BrokerInstance) => {
  const dir = join(broker.dataDir, `${TOPIC}-0`);
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).filter((name) => name.endsWith('.log')).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
};

const metric = async (broker: BrokerInstance, name: string) => {
  const text = await (await fetch(`http://127.0.0.1:${broker.adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
};

describe('leader.replication.throttled.rate on its own', () => {
  let cluster: ClusterInstance;
  let admin: Admin;
  let work: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'leader-throttle-test-'));
    cluster = await startCluster({ brokers: 2 });
    admin = clusterClient(cluster, 'leader-throttle-test').admin();
    await admin.connect();
  });
  after(async () => {
    await admin?.disconnect();
    await stopCluster(cluster);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Sets the cluster-wide dynamic broker defaults to exactly these (AlterConfigs replaces the set). */
  const brokerDefaults = (entries: Record<string, string>) =>
    admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: Object.entries(entries).map(([name, value]) => ({ name, value })) }] });

  test('bounds the copy to a new broker by the leader\'s rate, and the move completes once it is removed', async () => {
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const producer = clusterClient(cluster, 'leader-throttle-producer').producer();
    await producer.connect();
    for (let batch = 0; batch < BATCHES; batch++) {
      await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: RECORDS_PER_BATCH }, () => ({ value: VALUE })) });
    }
    await producer.disconnect();
    const from = (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions[0]!.leader;
    const leader = cluster.broker(from);
    const total = bytesOnDisk(leader);
    assert.ok(total > 5_000_000, `the partition holds ${total} bytes`);

    const target = await cluster.addBroker(3);
    await waitFor(async () => (await admin.describeCluster()).brokers.length === 3, { what: 'broker 3 to register' });
    // Only the leader's side: the new replica fetches as fast as the leader answers.
    await brokerDefaults({ 'leader.replication.throttled.rate': String(RATE) });

    const planFile = join(work, 'plan.json');
    writeFileSync(planFile, JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [3] }] }));
    const started = Date.now();
    const executed = await tributary(['reassign', '--execute', '--reassignment-json-file', planFile, '--bootstrap-server', cluster.bootstrap()]);
    assert.equal(executed.code, 0, executed.stderr);

    // Poll the new replica's size for a few seconds; the time is read after the size, so any
    // delay in polling only loosens the bound.
    let copied = 0;
    await waitFor(() => {
      copied = bytesOnDisk(target);
      const elapsedS = (Date.now() - started) / 1000;
      const bound = 2 * RATE * elapsedS + FETCH_MAX_BYTES;
      assert.ok(copied <= bound, `${copied} bytes copied after ${elapsedS.toFixed(1)} s; at ${RATE} B/s at most ${Math.round(bound)}`);
      return elapsedS >= 6;
    }, { what: 'six seconds of throttled copying', timeoutMs: 20_000, intervalMs: 200 });
    assert.ok(copied > 0, 'the throttle slows the copy, it does not stop it');
    assert.ok(copied < total, 'still copying');
    const sent = await metric(leader, 'tributary_broker_leader_replication_throttled_bytes_total');
    assert.ok(sent >= copied, `the leader counts ${sent} throttled bytes sent, ${copied} copied`);

    await brokerDefaults({});
    await waitFor(async () => (await tributary(['reassign', '--verify', '--reassignment-json-file', planFile, '--bootstrap-server', cluster.bootstrap()])).code === 0, {
      what: 'the move to complete once the throttle is gone',
      timeoutMs: 60_000,
      intervalMs: 1000,
    });
    assert.deepEqual((await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0]!.partitions[0]!.replicas, [3]);
    assert.equal(bytesOnDisk(target), total, 'the new replica holds the whole log');
  });
});
