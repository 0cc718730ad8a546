import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;

/** The console's JSON API against a real broker process, fed and read with kafkajs. */
describe('console API', () => {
  const topic = 'console.orders';
  const group = 'console-readers';
  const T0 = Date.parse('2024-03-01T10:00:00.000Z');
  let broker: BrokerInstance;
  let base: string;

  const get = async <T = any>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
    return (await response.json()) as T;
  };

  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
    base = `http://127.0.0.1:${broker.adminPort}`;
    const kafka = new Kafka({ clientId: 'console-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      await producer.connect();
      // Partition 0: five records at T0, five a minute later, then one large record.
      await producer.send({
        topic,
        messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `early-${i}`, timestamp: String(T0 + i), headers: { source: 'test', seq: String(i) } })),
      });
      await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, key: `k${i + 5}`, value: `late-${i + 5}`, timestamp: String(T0 + 60_000 + i) })) });
      await producer.send({ topic, messages: [{ partition: 0, key: null, value: 'x'.repeat(5000), timestamp: String(T0 + 120_000) }] });
      await producer.send({ topic, messages: Array.from({ length: 3 }, (_, i) => ({ partition: 1, key: `p1-${i}`, value: `one-${i}` })) });
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });

  after(async () => {
    await broker?.stop();
  });

  it('gives the cluster overview: this broker alone, as controller', async () => {
    const overview = await get('/api/console/overview');
    assert.equal(overview.brokerId, 0);
    assert.equal(overview.controllerId, 0);
    assert.match(overview.clusterId, /\S/);
    assert.equal(overview.brokers.length, 1);
    assert.equal(overview.brokers[0].isController, true);
    assert.equal(overview.brokers[0].port, broker.port);
    assert.ok(overview.brokers[0].partitions >= 2);
    assert.ok(overview.topics >= 1);
    assert.equal(overview.underReplicatedPartitions, 0);
    assert.equal(overview.offlinePartitions, 0);
    assert.ok(overview.uptimeSeconds >= 0);
  });

  it('lists topics and describes partitions with offsets, sizes, leader, replicas and ISR', async () => {
    const { topics } = await get('/api/console/topics');
    const summary = topics.find((t: { name: string }) => t.name === topic);
    assert.ok(summary, 'the topic is listed');
    assert.equal(summary.partitions, 2);
    assert.equal(summary.replicationFactor, 1);
    assert.equal(summary.messages, 14);
    assert.ok(summary.sizeBytes > 5000);

    const detail = await get(`/api/console/topics/${encodeURIComponent(topic)}`);
    const [p0, p1] = detail.partitionDetails;
    assert.deepEqual(
      { partition: p0.partition, leader: p0.leader, replicas: p0.replicas, isr: p0.isr, logStartOffset: p0.logStartOffset, logEndOffset: p0.logEndOffset, highWatermark: p0.highWatermark },
      { partition: 0, leader: 0, replicas: [0], isr: [0], logStartOffset: 0, logEndOffset: 11, highWatermark: 11 },
    );
    assert.equal(p1.logEndOffset, 3);
    assert.ok(p0.sizeBytes > 5000 && p1.sizeBytes > 0);

    const missing = await fetch(`${base}/api/console/topics/no-such-topic`);
    assert.equal(missing.status, 404);
  });

  it('browses messages by offset: key, value, headers, timestamp, next page', async () => {
    const page = await get(`/api/console/topics/${encodeURIComponent(topic)}/partitions/0/messages?offset=2&limit=3`);
    assert.deepEqual(page.messages.map((m: { offset: number }) => m.offset), [2, 3, 4]);
    const first = page.messages[0];
    assert.equal(first.key, 'k2');
    assert.equal(first.value, 'early-2');
    assert.equal(first.timestamp, T0 + 2);
    assert.equal(first.timestampIso, new Date(T0 + 2).toISOString());
    assert.deepEqual(first.headers, [{ key: 'source', value: 'test' }, { key: 'seq', value: '2' }]);
    assert.equal(page.nextOffset, 5);

    // Across batches, from the middle of one.
    const next = await get(`/api/console/topics/${encodeURIComponent(topic)}/partitions/0/messages?offset=4&limit=3`);
    assert.deepEqual(next.messages.map((m: { value: string }) => m.value), ['early-4', 'late-5', 'late-6']);

    // Without a start: the newest records.
    const newest = await get(`/api/console/topics/${encodeURIComponent(topic)}/partitions/1/messages?limit=2`);
    assert.deepEqual(newest.messages.map((m: { key: string }) => m.key), ['p1-1', 'p1-2']);
  });

  it('cuts long values to a bounded length', async () => {
    const page = await get(`/api/console/topics/${encodeURIComponent(topic)}/partitions/0/messages?offset=10&limit=5`);
    assert.equal(page.messages.length, 1);
    const [big] = page.messages;
    assert.equal(big.key, null);
    assert.equal(big.valueBytes, 5000);
    assert.equal(big.truncated, true);
    assert.equal(big.value.length, 1024);
  });

  it('browses messages by time, starting at the first record at or after it', async () => {
    const page = await get(`/api/console/topics/${encodeURIComponent(topic)}/partitions/0/messages?timestamp=${new Date(T0 + 30_000).toISOString()}&limit=2`);
    assert.equal(page.startOffset, 5);
    assert.deepEqual(page.messages.map((m: { value: string }) => m.value), ['late-5', 'late-6']);
    const exact = await get(`/api/console/topics/${encodeURIComponent(topic)}/partitions/0/messages?timestamp=${T0 + 3}&limit=1`);
    assert.equal(exact.messages[0].offset, 3);
    const future = await get(`/api/console/topics/${encodeURIComponent(topic)}/partitions/0/messages?timestamp=2100-01-01T00:00:00Z`);
    assert.equal(future.messages.length, 0);
    assert.equal(future.startOffset, 11);
  });

  it('rejects bad queries and has no mutating endpoints', async () => {
    const bad = await fetch(`${base}/api/console/topics/${encodeURIComponent(topic)}/partitions/0/messages?offset=abc`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /offset/);
    assert.equal((await fetch(`${base}/api/console/topics/${encodeURIComponent(topic)}/partitions/7/messages`)).status, 404);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of ['/api/console/topics', `/api/console/topics/${encodeURIComponent(topic)}`, '/api/console/groups', '/']) {
        const response = await fetch(`${base}${path}`, { method });
        assert.equal(response.status, 404, `${method} ${path}`);
      }
    }
  });

  it("shows a group's members, committed offsets and lag per partition", async () => {
    const kafka = new Kafka({ clientId: 'console-group', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      await consumer.run({ autoCommit: false, eachMessage: async () => {} });
      await waitFor(() => joined, { what: 'the consumer to join', timeoutMs: 20_000 });
      await consumer.commitOffsets([
        { topic, partition: 0, offset: '4' },
        { topic, partition: 1, offset: '1' },
      ]);

      const view = await waitFor(async () => {
        const { groups } = await get('/api/console/groups');
        const found = groups.find((g: { groupId: string }) => g.groupId === group);
        return found && found.state === 'Stable' && found.partitions.length === 2 ? found : null;
      }, { what: 'the group in the console', timeoutMs: 15_000 });
      assert.equal(view.members.length, 1);
      assert.equal(view.members[0].clientId, 'console-group');
      assert.deepEqual(view.members[0].assignment, [{ topic, partitions: [0, 1] }]);
      assert.deepEqual(
        view.partitions.map((p: { partition: number; committedOffset: number; endOffset: number; lag: number }) => [p.partition, p.committedOffset, p.endOffset, p.lag]),
        [[0, 4, 11, 7], [1, 1, 3, 2]],
      );
      assert.equal(view.totalLag, 9);

      const detail = await waitFor(async () => {
        const found = await get(`/api/console/groups/${group}`);
        return found.history.some((s: { lag: number | null }) => s.lag === 9) ? found : null;
      }, { what: 'the lag history to have a sample', timeoutMs: 10_000 });
      assert.equal(detail.totalLag, 9);
    } finally {
      await consumer.disconnect();
    }
  });

  it('reports throughput from counter deltas, sampled every second', async () => {
    const tp = await waitFor(async () => {
      const found = await get('/api/console/throughput');
      return found.samples.length >= 2 ? found : null;
    }, { what: 'two throughput samples', timeoutMs: 10_000 });
    assert.equal(tp.intervalMs, 1000);
    assert.equal(tp.capacity, 300);
    for (const sample of tp.samples) {
      assert.equal(typeof sample.t, 'number');
      assert.ok(sample.bytesInPerSec >= 0 && sample.bytesOutPerSec >= 0 && sample.messagesInPerSec >= 0);
    }
    // Records produced after the sampler's first sample show up as a rate.
    const kafka = new Kafka({ clientId: 'console-load', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    try {
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ partition: 1, value: `load-${i}` })) });
    } finally {
      await producer.disconnect();
    }
    await waitFor(async () => {
      const found = await get('/api/console/throughput');
      return found.samples.some((s: { messagesInPerSec: number; bytesInPerSec: number }) => s.messagesInPerSec > 0 && s.bytesInPerSec > 0)
        && found.topics.some((t: { topic: string }) => t.topic === topic);
    }, { what: 'a sample with messages in', timeoutMs: 10_000 });
  });

  it('serves the console page at / and /console', async () => {
    for (const path of ['/', '/console']) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const html = await response.text();
      assert.match(html, /<title>Tributary console<\/title>/);
      assert.doesNotMatch(html, /<(script|link)[^>]+(src|href)=["']?https?:/i, 'nothing is loaded from elsewhere');
    }
    assert.equal((await fetch(`${base}/health`)).status, 200);
  });
});
