import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { createAdmin } from '@tributary/common/kafka';
import { startBroker, waitFor, type BrokerInstance, tributary } from '@tributary/testkit';

const QUOTA = 512 * 1024;
const VALUE = Buffer.alloc(32 * 1024, 'q');

/** Sends as fast as acknowledgements allow; returns payload bytes acknowledged inside [fromMs, toMs). */
async function produceFlat(bootstrap: string, clientId: string, topic: string, fromMs: number, toMs: number): Promise<number> {
  const producer = new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  let bytes = 0;
  while (Date.now() < toMs) {
    await producer.send({ topic, acks: 1, messages: [{ value: VALUE }] });
    const now = Date.now();
    if (now >= fromMs && now < toMs) bytes += VALUE.length;
  }
  await producer.disconnect();
  return bytes;
}

describe('client quotas: produce byte rate enforced by throttling', () => {
  let broker: BrokerInstance;
  before(async () => {
    broker = await startBroker();
  });
  after(async () => broker?.stop());

  test('AlterClientQuotas stores a client-id quota that DescribeClientQuotas returns', async () => {
    const admin = createAdmin({ bootstrapServers: broker.bootstrap, clientId: 'quota-admin' });
    try {
      await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'client-id', entityName: 'throttled' }], ops: [{ key: 'producer_byte_rate', value: QUOTA, remove: false }] }] } as never);
      const described = await admin.describeClientQuotas({ components: [{ entityType: 'client-id', matchType: 0, match: 'throttled' }] } as never);
      assert.deepEqual(described.map((entry) => [entry.entity, entry.values]), [[[{ entityType: 'client-id', entityName: 'throttled' }], [{ key: 'producer_byte_rate', value: QUOTA }]]]);
    } finally {
      await admin.close();
    }
  });

  test('tributary quotas set, list and remove', async () => {
    const cli = (args: string[]) => tributary([...args, '--bootstrap-server', broker.bootstrap]);
    assert.equal((await cli(['quotas', 'set', '--user', 'ann', '--client-id', 'etl', '--consumer-byte-rate', '2048', '--request-percentage', '50'])).code, 0);
    assert.equal((await cli(['quotas', 'set', '--user-default', '--producer-byte-rate', '4096'])).code, 0);
    const listed = await cli(['quotas', 'list', '--output', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = (JSON.parse(listed.stdout) as Array<Record<string, unknown>>).filter((row) => row.clientId !== 'throttled');
    assert.deepEqual(rows.sort((a, b) => String(a.quota).localeCompare(String(b.quota))), [
      { user: 'ann', clientId: 'etl', quota: 'consumer_byte_rate', value: 2048 },
      { user: '<default>', clientId: '', quota: 'producer_byte_rate', value: 4096 },
      { user: 'ann', clientId: 'etl', quota: 'request_percentage', value: 50 },
    ]);
    assert.equal((await cli(['quotas', 'remove', '--user', 'ann', '--client-id', 'etl', '--quota', 'request_percentage'])).code, 0);
    assert.equal((await cli(['quotas', 'remove', '--user-default'])).code, 0);
    const after = JSON.parse((await cli(['quotas', 'list', '--user', 'ann', '--output', 'json'])).stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(after, [{ user: 'ann', clientId: 'etl', quota: 'consumer_byte_rate', value: 2048 }]);
  });

  test('a producer over its quota runs at the quota (within 10% over 10 s) while an unquoted one keeps its throughput', async () => {
    const start = Date.now();
    // The first 2 s let the sampled rate fill; the 10 s after are measured.
    const [throttled, free] = await Promise.all([
      produceFlat(broker.bootstrap, 'throttled', 'quota-throttled', start + 2000, start + 12_000),
      produceFlat(broker.bootstrap, 'free', 'quota-free', start + 2000, start + 12_000),
    ]);
    const throttledRate = throttled / 10;
    assert.ok(Math.abs(throttledRate / QUOTA - 1) <= 0.1, `throttled client ran at ${Math.round(throttledRate)} B/s for a quota of ${QUOTA} B/s`);
    assert.ok(free / throttled > 3, `the unquoted client moved ${free} bytes against ${throttled}: it should not be held back`);
  });

  test('a consumer over its fetch byte-rate quota reads at the quota (within 10% over 10 s)', async () => {
    const kafka = new Kafka({ clientId: 'loader', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    for (let batch = 0; batch < 16; batch++) await producer.send({ topic: 'quota-fetch', acks: 1, messages: Array.from({ length: 16 }, () => ({ value: VALUE })) });
    await producer.disconnect();
    const admin = createAdmin({ bootstrapServers: broker.bootstrap, clientId: 'quota-admin' });
    await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'client-id', entityName: 'slow-reader' }], ops: [{ key: 'consumer_byte_rate', value: QUOTA, remove: false }] }] } as never);
    await admin.close();

    const consumer = new Kafka({ clientId: 'slow-reader', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: 'slow-readers', maxBytesPerPartition: 64 * 1024, maxBytes: 64 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'quota-fetch', fromBeginning: true });
    let start = 0;
    let measured = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        const now = Date.now();
        start ||= now;
        if (now >= start + 2000 && now < start + 12_000) measured += message.value!.length;
      },
    });
    await waitFor(() => start > 0 && Date.now() >= start + 12_000, { what: 'the 10 s measurement window', timeoutMs: 40_000, intervalMs: 200 });
    await consumer.disconnect();
    const rate = measured / 10;
    assert.ok(Math.abs(rate / QUOTA - 1) <= 0.1, `throttled consumer read ${Math.round(rate)} B/s for a quota of ${QUOTA} B/s`);
  });
});
