import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { fetchOnce } from '../support/raw-client.ts';

const { Kafka, logLevel } = kafkajs;

const DAY = 86_400_000;

describe('retention with small segments', () => {
  let broker: BrokerInstance;
  before(async () => {
    broker = await startBroker({ config: { 'log.retention.check.interval.ms': 100 } });
  });
  after(async () => broker?.stop());

  test('old segments are deleted, the log start offset moves, consumers below it reset', async () => {
    const topic = 'retained';
    const kafka = new Kafka({ clientId: 'retention-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '2048' }, { name: 'retention.ms', value: String(DAY) }] }],
    });
    const producer = kafka.producer();
    await producer.connect();
    const old = Date.now() - 2 * DAY;
    for (let i = 0; i < 100; i++) {
      await producer.send({ topic, messages: [{ value: `old-${i}-${'x'.repeat(100)}`, timestamp: String(old + i) }] });
    }
    const recent = 5;
    for (let i = 0; i < recent; i++) await producer.send({ topic, messages: [{ value: `new-${i}-${'y'.repeat(100)}` }] });
    await producer.disconnect();

    const partitionDir = join(broker.dataDir, `${topic}-0`);
    // Retention runs every 100 ms; poll slower than that until the log start stops moving.
    let previous = -1;
    const low = await waitFor(
      async () => {
        const [offsets] = await admin.fetchTopicOffsets(topic);
        const current = Number(offsets!.low);
        const settled = current === previous && current > 80;
        previous = current;
        return settled ? current : 0;
      },
      { what: 'the log start offset to move past the expired segments and settle', timeoutMs: 20_000, intervalMs: 400 },
    );
    const segments = readdirSync(partitionDir).filter((name) => name.endsWith('.log'));
    assert.ok(segments.length < 20, `expired segments deleted, ${segments.length} left`);
    assert.ok(low <= 100, 'no recent record was deleted');
    // The segment holding recent records is never deleted, so every recent record is still there.

    const fetched = await fetchOnce(broker.bootstrap, topic, 0, 0);
    assert.equal(fetched.errorCode, 1, 'fetch below the log start offset answers OFFSET_OUT_OF_RANGE');
    assert.equal(fetched.logStartOffset, low);

    const consumer = kafka.consumer({ groupId: 'retention-reader', sessionTimeout: 10_000 });
    const offsets: number[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    try {
      await consumer.run({ eachMessage: async ({ message }) => void offsets.push(Number(message.offset)) });
      await waitFor(() => offsets.length >= 105 - low, { what: 'the retained records consumed', timeoutMs: 30_000 });
    } finally {
      await consumer.disconnect();
      await admin.disconnect();
    }
    assert.equal(offsets[0], low, 'the consumer reset to the new log start offset (auto.offset.reset=earliest)');
  });
});
