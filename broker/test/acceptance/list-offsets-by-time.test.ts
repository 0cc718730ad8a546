import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startBroker, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;

const HOUR = 3_600_000;

describe('ListOffsets by timestamp (replay "from 3 days ago")', () => {
  let broker: BrokerInstance;
  before(async () => {
    broker = await startBroker();
  });
  after(async () => broker?.stop());

  test('returns the first offset whose timestamp is at or after the asked time', async () => {
    const topic = 'replay-by-time';
    const kafka = new Kafka({ clientId: 'time-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const now = Date.now();
    const start = now - 7 * 24 * HOUR;
    const producer = kafka.producer();
    await producer.connect();
    // One record per hour over the last week, sent in several batches so the lookup crosses batches.
    const total = 7 * 24;
    for (let first = 0; first < total; first += 10) {
      const messages = [];
      for (let i = first; i < Math.min(total, first + 10); i++) messages.push({ value: String(i), timestamp: String(start + i * HOUR) });
      await producer.send({ topic, messages });
    }
    await producer.disconnect();

    const threeDaysAgo = now - 3 * 24 * HOUR;
    const expected = Math.ceil((threeDaysAgo - start) / HOUR);
    const [found] = await admin.fetchTopicOffsetsByTimestamp(topic, threeDaysAgo);
    assert.equal(Number(found!.offset), expected);
    const [exact] = await admin.fetchTopicOffsetsByTimestamp(topic, start + 42 * HOUR);
    assert.equal(Number(exact!.offset), 42);
    const [before] = await admin.fetchTopicOffsetsByTimestamp(topic, start - HOUR);
    assert.equal(Number(before!.offset), 0);
    // After the newest record there is no such offset: Kafka answers with the log end (kafkajs maps -1 to it).
    const [afterAll] = await admin.fetchTopicOffsetsByTimestamp(topic, now + HOUR);
    assert.equal(Number(afterAll!.offset), total);
    await admin.disconnect();
  });
});
