import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;

/**
 * kill -9 the broker while an idempotent producer streams: after a restart every acknowledged
 * record is there exactly once and the offsets have no holes.
 */
describe('broker crash during a produce stream', () => {
  let broker: BrokerInstance;
  before(async () => {
    broker = await startBroker();
  });
  after(async () => broker?.stop());

  test('every acknowledged record survives kill -9 exactly once, offsets contiguous', async () => {
    const topic = 'crash-stream';
    const kafka = new Kafka({ clientId: 'crash-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 } });
    await producer.connect();
    const acknowledged = new Set<number>();
    let next = 0;
    let stopped = false;
    const stream = (async () => {
      while (!stopped) {
        const ids = Array.from({ length: 50 }, () => next++);
        try {
          await producer.send({ topic, acks: -1, messages: ids.map((id) => ({ key: `k${id % 7}`, value: String(id) })) });
          for (const id of ids) acknowledged.add(id);
        } catch {
          return;
        }
      }
    })();
    await waitFor(() => acknowledged.size >= 20_000, { what: '20k acknowledged records before the crash', timeoutMs: 60_000 });
    broker.kill9();
    await stream;
    stopped = true;
    await producer.disconnect().catch(() => undefined);
    await broker.restart();

    const reader = new Kafka({ clientId: 'crash-reader', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = reader.consumer({ groupId: 'crash-reader', sessionTimeout: 10_000 });
    const seen = new Map<number, number>();
    const offsets = new Map<number, number[]>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    try {
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const id = Number(message.value!.toString());
          seen.set(id, (seen.get(id) ?? 0) + 1);
          const list = offsets.get(partition) ?? [];
          list.push(Number(message.offset));
          offsets.set(partition, list);
        },
      });
      await waitFor(() => [...acknowledged].every((id) => seen.has(id)), { what: 'all acknowledged records read back', timeoutMs: 60_000 });
    } finally {
      await consumer.disconnect();
    }
    for (const [id, times] of seen) assert.equal(times, 1, `record ${id} read ${times} times`);
    for (const [partition, list] of offsets) {
      list.forEach((offset, position) => assert.equal(offset, position, `partition ${partition} has a hole or repeat at ${position}`));
    }
    assert.ok(acknowledged.size >= 20_000);
  });
});
