import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { kcat, startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;

let broker: BrokerInstance;
before(async () => {
  broker = await startBroker();
});
after(async () => broker?.stop());

async function committedValues(topic: string): Promise<string[]> {
  const read = await kcat(['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n', '-X', 'isolation.level=read_committed'], { timeoutMs: 30_000 });
  assert.equal(read.code, 0, read.stderr);
  return read.stdout.split('\n').filter((line) => line.length > 0);
}

test('after a kill -9 of the broker, committed transactions and their offsets stay, open ones stay hidden until aborted', async () => {
  const kafka = new Kafka({ clientId: 'txn-restart', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 200 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'restart-in', numPartitions: 1 }, { topic: 'restart-out', numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const producer = kafka.producer({ transactionalId: 'restart-txn', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const first = await producer.transaction();
  await first.send({ topic: 'restart-out', messages: [{ value: 'c1' }] });
  await first.sendOffsets({ consumerGroupId: 'restart-group', topics: [{ topic: 'restart-in', partitions: [{ partition: 0, offset: '5' }] }] });
  await first.commit();
  const open = await producer.transaction();
  await open.send({ topic: 'restart-out', messages: [{ value: 'o1' }] });
  await open.sendOffsets({ consumerGroupId: 'restart-group', topics: [{ topic: 'restart-in', partitions: [{ partition: 0, offset: '9' }] }] });

  await broker.kill9();
  await broker.restart();

  const committedOffset = async () => {
    const client = kafka.admin();
    await client.connect();
    try {
      const [topic] = await client.fetchOffsets({ groupId: 'restart-group', topics: ['restart-in'] });
      return topic!.partitions[0]!.offset;
    } finally {
      await client.disconnect();
    }
  };
  assert.equal(await waitFor(committedOffset, { what: 'the group coordinator to load after the restart' }), '5');
  assert.deepEqual(await committedValues('restart-out'), ['c1']);

  // A new instance of the producer fences the old one and aborts what it left open.
  const successor = kafka.producer({ transactionalId: 'restart-txn', idempotent: true, maxInFlightRequests: 1 });
  await successor.connect();
  const next = await successor.transaction();
  await next.send({ topic: 'restart-out', messages: [{ value: 'c2' }] });
  await next.sendOffsets({ consumerGroupId: 'restart-group', topics: [{ topic: 'restart-in', partitions: [{ partition: 0, offset: '7' }] }] });
  await next.commit();
  await successor.disconnect();
  await producer.disconnect().catch(() => undefined);

  assert.deepEqual(await committedValues('restart-out'), ['c1', 'c2']);
  assert.equal(await committedOffset(), '7');
  // c1, its marker, o1, its abort marker, c2, its marker: everything is stable.
  const metrics = await (await fetch(`http://127.0.0.1:${broker.adminPort}/metrics`)).text();
  assert.match(metrics, /^tributary_broker_transactions\{state="CompleteCommit"\} 1$/m);
  assert.match(metrics, /^tributary_broker_last_stable_offset\{topic="restart-out",partition="0"\} 6$/m);
});
