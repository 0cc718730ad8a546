import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startBroker, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

describe('admin APIs through kafkajs: DescribeCluster, DescribeConfigs, AlterConfigs, CreatePartitions, DeleteRecords', () => {
  let broker: BrokerInstance;
  let admin: ReturnType<InstanceType<typeof Kafka>['admin']>;
  let kafka: InstanceType<typeof Kafka>;
  before(async () => {
    broker = await startBroker();
    kafka = new Kafka({ clientId: 'admin-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    await admin?.disconnect();
    await broker?.stop();
  });

  test('describe the cluster and the broker configuration', async () => {
    const cluster = await admin.describeCluster();
    assert.equal(cluster.brokers.length, 1);
    assert.equal(cluster.controller, 0);
    assert.ok(cluster.clusterId.length > 0);
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '0' }] });
    const entries = described.resources[0]!.configEntries;
    assert.equal(entries.find((e) => e.configName === 'log.retention.ms')?.configValue, '604800000');
  });

  test('topic configs can be described and altered; partitions added', async () => {
    await admin.createTopics({ topics: [{ topic: 'cfg', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    const before = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg' }] });
    const entries = before.resources[0]!.configEntries;
    assert.equal(entries.find((e) => e.configName === 'cleanup.policy')?.configValue, 'compact');
    assert.equal(entries.find((e) => e.configName === 'retention.ms')?.isDefault, true);
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
    const after = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg' }] });
    assert.equal(after.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue, '1000');
    await admin.createPartitions({ topicPartitions: [{ topic: 'cfg', count: 4 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: ['cfg'] });
    assert.equal(metadata.topics[0]!.partitions.length, 4);
  });

  test('broker-wide topic defaults change at run time, apply to topics without overrides, and persist', async () => {
    await admin.createTopics({ topics: [{ topic: 'inherits', numPartitions: 1 }] });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configEntries: [{ name: 'log.retention.ms', value: '3600000' }] }] });
    const topicRetention = async () =>
      (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'inherits' }] })).resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
    assert.equal(await topicRetention(), '3600000');
    await assert.rejects(
      admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configEntries: [{ name: 'num.partitions', value: '3' }] }] }),
      (error: { type?: string }) => error.type === 'INVALID_REQUEST',
    );
    await admin.disconnect();
    await broker.restart();
    admin = kafka.admin();
    await admin.connect();
    assert.equal(await topicRetention(), '3600000', 'dynamic defaults survive a restart');
  });

  test('DeleteRecords moves the log start offset', async () => {
    await admin.createTopics({ topics: [{ topic: 'trimmed', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'trimmed', messages: Array.from({ length: 10 }, (_, i) => ({ value: String(i) })) });
    await producer.disconnect();
    // kafkajs looks the leader up in its cached metadata without refreshing it first.
    await admin.fetchTopicMetadata({ topics: ['trimmed'] });
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '6' }] });
    const [offsets] = await admin.fetchTopicOffsets('trimmed');
    assert.equal(offsets!.low, '6');
    assert.equal(offsets!.high, '10');
  });

  test('CreateTopics with a replica assignment chosen by the client: used as given, and checked like Kafka', async () => {
    const id = (await admin.describeCluster()).brokers[0]!.nodeId;
    await admin.createTopics({ topics: [{ topic: 'placed', replicaAssignment: [{ partition: 1, replicas: [id] }, { partition: 0, replicas: [id] }] }] });
    const metadata = await admin.fetchTopicMetadata({ topics: ['placed'] });
    assert.deepEqual(metadata.topics[0]!.partitions.map((p) => p.replicas), [[id], [id]]);
    // kafkajs reads CreateTopics v0, which carries the error code but not the broker's message.
    const refused = async (replicaAssignment: Array<{ partition: number; replicas: number[] }>) => {
      await assert.rejects(admin.createTopics({ topics: [{ topic: `bad-${Math.random().toString(36).slice(2)}`, replicaAssignment }] }), (error: Error & { errors?: Array<{ type?: string }> }) => {
        assert.equal(error.errors?.[0]?.type, 'INVALID_REPLICA_ASSIGNMENT');
        return true;
      });
    };
    await refused([{ partition: 0, replicas: [id + 7] }]);
    await refused([{ partition: 0, replicas: [id] }, { partition: 2, replicas: [id] }]);
    await refused([{ partition: 0, replicas: [id, id] }]);
  });
});
