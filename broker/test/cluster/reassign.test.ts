import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { readTopics, startBroker, startCluster, tributary, waitFor, type ClusterInstance } from '@tributary/testkit';
import { ZkClient } from '../../src/zookeeper/zk-client.ts';
import { stopCluster } from './support.ts';
import { decodeConfig, ZkPaths } from '../../src/zookeeper/zk-data.ts';

const { Kafka, logLevel } = kafkajs;

const TOPIC = 'moves';
const PARTITIONS = 6;
const RECORDS = 3000;

describe('partition reassignment onto a new broker with tributary reassign', () => {
  let cluster: ClusterInstance;
  let kafka: InstanceType<typeof Kafka>;
  let admin: ReturnType<InstanceType<typeof Kafka>['admin']>;
  let work: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'reassign-test-'));
    // Preferred leaders come back within a second of a move, instead of Kafka's 5 minutes.
    cluster = await startCluster({ brokers: 3, config: { 'leader.imbalance.check.interval.seconds': 1 } });
    kafka = new Kafka({ clientId: 'reassign-test', brokers: cluster.bootstrap().split(','), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    await admin?.disconnect();
    await stopCluster(cluster);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The throttle as stored in ZooKeeper (DescribeConfigs does not list it). */
  const throttle = async () => {
    const zk = await ZkClient.connect(cluster.zookeeper.connectString, 10_000, 10_000);
    try {
      const node = await zk.get(ZkPaths.brokerDefaults);
      const defaults = node ? decodeConfig(node.data) : {};
      return { follower: defaults['follower.replication.throttled.rate'], leader: defaults['leader.replication.throttled.rate'] };
    } finally {
      zk.close();
    }
  };
  const partitionsOf = async (topic: string) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;

  test('the reassignment APIs answer errors the way Kafka does', async () => {
    await admin.createTopics({ topics: [{ topic: 'errors', numPartitions: 1, replicationFactor: 2 }], waitForLeaders: true });
    await assert.rejects(
      admin.alterPartitionReassignments({ topics: [{ topic: 'no-such-topic', partitionAssignment: [{ partition: 0, replicas: [1, 2] }] }] }),
      (error: { errors?: Array<{ type: string }> }) => error.errors?.[0]?.type === 'UNKNOWN_TOPIC_OR_PARTITION',
    );
    await assert.rejects(
      admin.alterPartitionReassignments({ topics: [{ topic: 'errors', partitionAssignment: [{ partition: 0, replicas: [1, 9] }] }] }),
      (error: { errors?: Array<{ type: string }> }) => error.errors?.[0]?.type === 'INVALID_REPLICA_ASSIGNMENT',
    );
    assert.deepEqual((await admin.listPartitionReassignments({})).topics, []);
  });

  test('generate, execute with a throttle, verify: partitions move to broker 4, no record is lost or repeated, leaders stay balanced', async () => {
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 2 }], waitForLeaders: true });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (let batch = 0; batch < RECORDS / 500; batch++) {
      const messages = Array.from({ length: 500 }, (_, i) => ({ key: `k-${(batch * 500 + i) % 97}`, value: `v-${batch * 500 + i}` }));
      await producer.send({ topic: TOPIC, acks: -1, messages });
    }
    await producer.disconnect();

    const broker4 = await cluster.addBroker(4);
    await waitFor(async () => (await admin.describeCluster()).brokers.length === 4, { what: 'broker 4 to register' });

    const topicsFile = join(work, 'topics.json');
    writeFileSync(topicsFile, JSON.stringify({ version: 1, topics: [{ topic: TOPIC }] }));
    const generated = await tributary(['reassign', '--generate', '--topics-to-move-json-file', topicsFile, '--broker-list', '1,2,3,4', '--bootstrap-server', cluster.bootstrap(), '--output', 'json']);
    assert.equal(generated.code, 0, generated.stderr);
    const { current, proposed } = JSON.parse(generated.stdout) as { current: { partitions: Array<{ replicas: number[] }> }; proposed: { version: number; partitions: Array<{ topic: string; partition: number; replicas: number[] }> } };
    assert.equal(current.partitions.length, PARTITIONS);
    assert.equal(proposed.partitions.length, PARTITIONS);
    assert.ok(proposed.partitions.some((p) => p.replicas.includes(4)), 'the proposal uses the new broker');
    const leadersProposed = new Map<number, number>();
    for (const p of proposed.partitions) leadersProposed.set(p.replicas[0]!, (leadersProposed.get(p.replicas[0]!) ?? 0) + 1);
    assert.equal(leadersProposed.size, 4, 'every broker is a preferred leader somewhere');

    const planFile = join(work, 'plan.json');
    writeFileSync(planFile, JSON.stringify(proposed));
    const executed = await tributary(['reassign', '--execute', '--reassignment-json-file', planFile, '--throttle', '10000000', '--bootstrap-server', cluster.bootstrap()]);
    assert.equal(executed.code, 0, executed.stderr);
    assert.match(executed.stdout, /Successfully started partition reassignment/);
    assert.deepEqual(await throttle(), { follower: '10000000', leader: '10000000' }, '--execute sets the throttle before the moves');

    let verified = { code: -1, stdout: '', stderr: '' };
    await waitFor(async () => {
      verified = await tributary(['reassign', '--verify', '--reassignment-json-file', planFile, '--bootstrap-server', cluster.bootstrap(), '--output', 'json']);
      assert.ok(verified.code === 0 || verified.code === 1, `verify failed: ${verified.stderr}`);
      return verified.code === 0;
    }, { what: 'reassign --verify to report every partition completed', timeoutMs: 60_000, intervalMs: 500 });
    const report = JSON.parse(verified.stdout) as { complete: boolean; throttleRemoved: boolean; partitions: Array<{ status: string }> };
    assert.ok(report.complete && report.throttleRemoved);
    assert.ok(report.partitions.every((p) => p.status === 'completed'));

    // The assignment is the plan's; broker 4 hosts its replicas on disk and the others dropped theirs.
    const partitions = await partitionsOf(TOPIC);
    for (const planned of proposed.partitions) assert.deepEqual(partitions.find((p) => p.partitionId === planned.partition)!.replicas, planned.replicas);
    await waitFor(() => {
      for (const [id, broker] of cluster.brokers) {
        const dirs = new Set(readdirSync(broker.dataDir));
        for (const planned of proposed.partitions) {
          if (dirs.has(`${TOPIC}-${planned.partition}`) !== planned.replicas.includes(id)) return false;
        }
      }
      return true;
    }, { what: 'partition directories to match the new assignment on every broker' });
    assert.ok(readdirSync(broker4.dataDir).some((name) => name.startsWith(`${TOPIC}-`)));

    // Leaders: the controller's preferred leader election (every second here) hands each partition
    // to the plan's first replica; wait for that before reading, so the reader does not race it.
    await waitFor(async () => (await partitionsOf(TOPIC)).every((p) => p.leader === p.replicas[0]), { what: 'preferred leaders to take over', timeoutMs: 20_000 });
    const bound = Math.ceil(PARTITIONS / 4) + 1;
    const counts = new Map<number, number>();
    for (const p of await partitionsOf(TOPIC)) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
    assert.ok([...counts.values()].every((n) => n <= bound), `no broker leads more than ${bound} of ${PARTITIONS} partitions: ${JSON.stringify([...counts])}`);

    // readTopics takes one address (kafkajs discovers the rest).
    const reader = await readTopics(cluster.broker(1).bootstrap, [TOPIC]);
    try {
      // A leader may still move under the reader's offset lookup (NOT_LEADER); ask again.
      await waitFor(async () => {
        await reader.drained(10_000);
        return true;
      }, { what: 'reading every record', timeoutMs: 40_000 });
      const values = reader.of(TOPIC).map((r) => r.value);
      assert.equal(values.length, RECORDS, 'every record read once');
      assert.equal(new Set(values).size, RECORDS);
    } finally {
      await reader.stop();
    }

    // --verify removed the throttle from the dynamic broker defaults.
    assert.deepEqual(await throttle(), { follower: undefined, leader: undefined });

    await waitFor(async () => {
      const described = await tributary(['cluster', 'describe', '--bootstrap-server', cluster.bootstrap(), '--output', 'json']);
      assert.equal(described.code, 0, described.stderr);
      const state = JSON.parse(described.stdout) as { brokers: Array<{ id: number; partitions: number }>; controllerId: number; underReplicatedPartitions: unknown[]; offlinePartitions: unknown[]; reassignments: unknown[] };
      assert.deepEqual(state.brokers.map((b) => b.id), [1, 2, 3, 4]);
      assert.ok(state.controllerId >= 1 && state.controllerId <= 4);
      return state.underReplicatedPartitions.length === 0 && state.offlinePartitions.length === 0 && state.reassignments.length === 0 && state.brokers.find((b) => b.id === 4)!.partitions > 0;
    }, { what: 'cluster describe to show 4 brokers and nothing under-replicated', timeoutMs: 30_000, intervalMs: 500 });
  });

  test('--verify exits 1 while a throttled move is in progress, and cluster describe lists it', async () => {
    const topic = 'slow';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    // Eight separate batches of ~1.5 KB: at 1000 B/s the new replica gets about one per 1.5 s.
    for (let i = 0; i < 8; i++) await producer.send({ topic, acks: -1, messages: [{ value: `${i}-`.padEnd(1500, 'x') }] });
    await producer.disconnect();
    const [from] = (await partitionsOf(topic))[0]!.replicas;
    const to = from === 4 ? 3 : 4;
    const planFile = join(work, 'slow.json');
    writeFileSync(planFile, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, replicas: [to] }] }));
    const executed = await tributary(['reassign', '--execute', '--reassignment-json-file', planFile, '--throttle', '1000', '--bootstrap-server', cluster.bootstrap()]);
    assert.equal(executed.code, 0, executed.stderr);

    const verifying = await tributary(['reassign', '--verify', '--reassignment-json-file', planFile, '--bootstrap-server', cluster.bootstrap()]);
    assert.equal(verifying.code, 1, `still moving, so exit 1: ${verifying.stdout}${verifying.stderr}`);
    assert.match(verifying.stdout, /in progress/);
    assert.equal((await throttle()).follower, '1000', 'the throttle stays while the move runs');
    const described = await tributary(['cluster', 'describe', '--bootstrap-server', cluster.bootstrap(), '--output', 'json']);
    const state = JSON.parse(described.stdout) as { reassignments: Array<{ topic: string; addingReplicas: number[]; removingReplicas: number[] }> };
    assert.deepEqual(state.reassignments.map((r) => [r.topic, r.addingReplicas, r.removingReplicas]), [[topic, [to], [from]]]);

    await waitFor(async () => (await tributary(['reassign', '--verify', '--reassignment-json-file', planFile, '--bootstrap-server', cluster.bootstrap()])).code === 0, {
      what: 'the throttled move to complete',
      timeoutMs: 60_000,
      intervalMs: 1000,
    });
    assert.deepEqual((await partitionsOf(topic))[0]!.replicas, [to]);
    assert.deepEqual(await throttle(), { follower: undefined, leader: undefined });
  });

  test('deleting a topic removes its partition directories from every broker', async () => {
    const topic = 'doomed';
    await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 3 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 40 }, (_, i) => ({ key: String(i), value: `d-${i}` })) });
    await producer.disconnect();
    const hosting = () => [...cluster.brokers.values()].flatMap((broker) => readdirSync(broker.dataDir).filter((name) => name.startsWith(`${topic}-`)).map((name) => join(broker.dataDir, name)));
    await waitFor(() => hosting().length === 4 * 3, { what: 'every replica of the topic to exist on disk' });
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(() => hosting().length === 0, { what: `the directories of '${topic}' to disappear from every broker`, timeoutMs: 30_000 });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), { what: 'the topic to be gone from metadata' });
  });
});

describe('reassignment on a single broker without ZooKeeper', () => {
  test('AlterPartitionReassignments answers the local store\'s INVALID_REPLICA_ASSIGNMENT; nothing is listed', async () => {
    const broker = await startBroker();
    const admin = new Kafka({ clientId: 'reassign-single', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'solo', numPartitions: 1 }], waitForLeaders: true });
      await assert.rejects(
        admin.alterPartitionReassignments({ topics: [{ topic: 'solo', partitionAssignment: [{ partition: 0, replicas: [0] }] }] }),
        (error: { errors?: Array<{ type: string }> }) => error.errors?.[0]?.type === 'INVALID_REPLICA_ASSIGNMENT',
      );
      assert.deepEqual((await admin.listPartitionReassignments({})).topics, []);
      const described = await tributary(['cluster', 'describe', '--bootstrap-server', broker.bootstrap, '--output', 'json']);
      assert.equal(described.code, 0, described.stderr);
      const state = JSON.parse(described.stdout) as { brokers: Array<{ id: number; leaders: number }>; reassignments: unknown[] };
      assert.equal(state.brokers.length, 1);
      assert.ok(state.brokers[0]!.leaders >= 1);
    } finally {
      await admin.disconnect();
      await broker.stop();
    }
  });
});
