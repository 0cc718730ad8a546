import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stickyAssignor } from '@tributary/common/assignors';
import { createAdmin, createConsumer, createProducer, parseBootstrap, platformaticAssigner } from '@tributary/common/kafka';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';

test('bootstrap servers parse with errors that show the expected shape', () => {
  assert.deepEqual(parseBootstrap('a:1, b:9092'), ['a:1', 'b:9092']);
  assert.deepEqual(parseBootstrap(undefined), ['127.0.0.1:9092']);
  assert.throws(() => parseBootstrap('nohost'), /HOST:PORT/);
  assert.throws(() => parseBootstrap('h:99999'), /HOST:PORT/);
});

describe('the project Kafka client (@platformatic/kafka) against the broker', () => {
  let broker: BrokerInstance;
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  });
  after(async () => broker?.stop());

  test('idempotent acks=all producer and a group consumer with our sticky assignor round-trip every record', async () => {
    const admin = createAdmin({ bootstrapServers: broker.bootstrap, clientId: 'kit' });
    await admin.createTopics({ topics: ['common-client'], partitions: 4, replicas: 1 });
    await admin.close();
    const producer = createProducer({ bootstrapServers: broker.bootstrap, clientId: 'kit' });
    await producer.send({ messages: Array.from({ length: 500 }, (_, i) => ({ topic: 'common-client', key: `k${i % 9}`, value: String(i), headers: { i: String(i) } })) });
    await producer.close();
    const consumer = createConsumer({ bootstrapServers: broker.bootstrap, clientId: 'kit', groupId: 'common-client-group', partitionAssigner: platformaticAssigner(stickyAssignor) });
    const stream = await consumer.consume({ topics: ['common-client'], mode: 'earliest', autocommit: false });
    const seen = new Set<string>();
    try {
      for await (const message of stream) {
        seen.add(message.value!);
        await message.commit();
        if (seen.size === 500) break;
      }
    } finally {
      await stream.close();
      await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
    }
    assert.equal(seen.size, 500);
    const check = createAdmin({ bootstrapServers: broker.bootstrap, clientId: 'kit' });
    const committed = await waitFor(async () => {
      const [group] = await check.listConsumerGroupOffsets({ groups: ['common-client-group'] });
      const total = group?.topics[0]?.partitions.reduce((sum, p) => sum + Number(p.committedOffset), 0) ?? 0;
      return total === 500 ? total : 0;
    }, { what: 'offsets committed for every record' });
    await check.close();
    assert.equal(committed, 500);
  });
});
