import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { fileURLToPath } from 'node:url';
import { kcat, python, requirePythonModule, startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;

async function consumeValues(kafka: InstanceType<typeof Kafka>, topic: string, readUncommitted: boolean, until: (values: string[]) => boolean): Promise<string[]> {
  const values: string[] = [];
  const consumer = kafka.consumer({ groupId: `${topic}-${readUncommitted ? 'uncommitted' : 'committed'}`, readUncommitted, sessionTimeout: 10_000, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  try {
    await waitFor(() => until(values), { what: `${topic} consumed (${readUncommitted ? 'read_uncommitted' : 'read_committed'}); got ${values.length}`, timeoutMs: 30_000 });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

async function kcatValues(bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const read = await kcat(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n', '-X', `isolation.level=${isolation}`], { timeoutMs: 30_000 });
  assert.equal(read.code, 0, read.stderr);
  return read.stdout.split('\n').filter((line) => line.length > 0);
}

const zombieScript = fileURLToPath(new URL('./support/zombie_confluent.py', import.meta.url));

describe('transactions with kafkajs 2.2 and librdkafka 2.0', () => {
  let broker: BrokerInstance;
  let kafka: InstanceType<typeof Kafka>;
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
    kafka = new Kafka({ clientId: 'txn-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => broker?.stop());

  test('aborted transactions are invisible to read_committed consumers and visible to read_uncommitted ones', async () => {
    const topic = 'txn-visibility';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer({ transactionalId: 'txn-visibility', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const run = async (values: string[], commit: boolean) => {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: values.map((value) => ({ key: value, value })) });
      if (commit) await txn.commit();
      else await txn.abort();
    };
    await run(['c1', 'c2'], true);
    await run(['a1', 'a2'], false);
    await run(['c3'], true);
    // An open transaction holds read_committed consumers back at its first offset.
    const open = await producer.transaction();
    await open.send({ topic, messages: [{ key: 'o1', value: 'o1' }] });

    const committed = await consumeValues(kafka, topic, false, (values) => values.includes('c3'));
    assert.deepEqual(committed, ['c1', 'c2', 'c3']);
    const uncommitted = await consumeValues(kafka, topic, true, (values) => values.includes('o1'));
    assert.deepEqual(uncommitted, ['c1', 'c2', 'a1', 'a2', 'c3', 'o1']);

    const offsets = await (async () => {
      const client = kafka.admin();
      await client.connect();
      try {
        return await client.fetchTopicOffsets(topic);
      } finally {
        await client.disconnect();
      }
    })();
    // kafkajs asks ListOffsets with read_committed: the latest offset is the last stable offset,
    // the open transaction's first record (five data records and three markers before it).
    assert.equal(offsets[0]!.high, '8');
    // librdkafka (kcat) with isolation.level: the same split, and read_committed stops at the open transaction.
    assert.deepEqual(await kcatValues(broker.bootstrap, topic, 'read_committed'), ['c1', 'c2', 'c3']);
    assert.deepEqual(await kcatValues(broker.bootstrap, topic, 'read_uncommitted'), ['c1', 'c2', 'a1', 'a2', 'c3', 'o1']);
    await open.abort();
    await producer.disconnect();
    assert.deepEqual(await kcatValues(broker.bootstrap, topic, 'read_committed'), ['c1', 'c2', 'c3']);
  });

  test('a zombie producer with an old epoch is fenced', async () => {
    const topic = 'txn-zombie';
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();

    const zombie = kafka.producer({ transactionalId: 'txn-zombie', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50 } });
    await zombie.connect();
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic, messages: [{ partition: 0, value: 'zombie-1' }] });

    const successor = kafka.producer({ transactionalId: 'txn-zombie', idempotent: true, maxInFlightRequests: 1 });
    await successor.connect();
    const txn = await successor.transaction();
    await txn.send({ topic, messages: [{ partition: 0, value: 'successor-1' }, { partition: 1, value: 'successor-2' }] });
    await txn.commit();

    const fenced = async (action: () => Promise<unknown>) => {
      await assert.rejects(action, (error: Error & { type?: string }) => {
        assert.match(`${error.type ?? ''} ${error.message}`, /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|fenced|epoch/i);
        return true;
      });
    };
    await fenced(() => zombieTxn.send({ topic, messages: [{ partition: 0, value: 'zombie-2' }] }));
    await fenced(() => zombieTxn.commit());
    await zombie.disconnect().catch(() => undefined);
    await successor.disconnect();

    const committed = await consumeValues(kafka, topic, false, (values) => values.length >= 2);
    assert.deepEqual(committed.sort(), ['successor-1', 'successor-2']);
  });

  test('python3-confluent-kafka: a zombie producer is fenced and its transaction never becomes visible', async () => {
    requirePythonModule('confluent_kafka', 'python3-confluent-kafka');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'txn-zombie-librdkafka', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const result = await python(zombieScript, [broker.bootstrap, 'txn-zombie-librdkafka'], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, `zombie_confluent.py failed\nstdout: ${result.stdout}\nstderr: ${result.stderr.slice(-3000)}`);
    assert.match(result.stdout, /fenced: .*(PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|fenced)/i);
    assert.deepEqual(await kcatValues(broker.bootstrap, 'txn-zombie-librdkafka', 'read_committed'), ['successor']);
  });
});
