import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;

/** The console page in Debian's Chromium against a real broker, fed with kafkajs. */
describe('console in a browser', () => {
  const topic = 'web.clicks';
  const group = 'web-readers';
  const T0 = Date.parse('2024-05-01T08:00:00.000Z');
  let broker: BrokerInstance;
  let status: Server;
  let browser: Browser;
  let page: Page;
  let base: string;

  const text = (selector: string) => page.locator(selector).first().textContent();
  const waitText = (selector: string, expected: string | RegExp, what: string) =>
    waitFor(async () => {
      const found = (await text(selector)) ?? '';
      return typeof expected === 'string' ? found.includes(expected) : expected.test(found);
    }, { what, timeoutMs: 10_000, intervalMs: 100 });

  before(async () => {
    // A collector status endpoint behind Basic auth that leaks a password in its JSON.
    status = createServer((request, response) => {
      if (request.headers.authorization !== `Basic ${Buffer.from('ops:pa55word').toString('base64')}`) {
        response.writeHead(401).end();
        return;
      }
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ status: 'ok', events: 42, kafka: { password: 'hunter2-browser' } }));
    });
    await new Promise<void>((resolve) => status.listen(0, '127.0.0.1', resolve));
    const statusPort = (status.address() as { port: number }).port;
    broker = await startBroker({
      config: { 'group.initial.rebalance.delay.ms': 0, 'console.collectors': `tracking=http://ops:pa55word@127.0.0.1:${statusPort}/health` },
    });
    base = `http://127.0.0.1:${broker.adminPort}`;

    const kafka = new Kafka({ clientId: 'console-browser', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `user-${i}`, value: JSON.stringify({ click: i }), timestamp: String(T0 + i * 1000), headers: { page: '/home' } })) });
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `user-${i + 10}`, value: JSON.stringify({ click: i + 10 }), timestamp: String(T0 + 3_600_000 + i) })) });
      // The group commits offset 6: a lag of 14 behind the 20 records.
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      await consumer.run({ autoCommit: false, eachMessage: async () => {} });
      await waitFor(() => joined, { what: 'the consumer to join', timeoutMs: 20_000 });
      await consumer.commitOffsets([{ topic, partition: 0, offset: '6' }]);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    }
    browser = await launchChromium();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await broker?.stop();
    status?.close();
  });

  it('opens on the overview', async () => {
    await page.goto(`${base}/`);
    await waitText('#ov-controller', 'broker 0', 'the overview');
    assert.match((await text('#ov-cluster-id')) ?? '', /\S/);
    assert.equal(await text('#ov-broker-count'), '1');
    assert.equal(await text('#ov-urp'), '0');
    assert.match((await text('#ov-topics')) ?? '', /^1\b/);
    assert.equal(await page.locator('#ov-brokers tbody tr').count(), 1);
    assert.match((await text('#hdr-meta')) ?? '', /cluster .+ · broker 0/);
  });

  it('opens a topic and browses its messages by offset and by time', async () => {
    await page.click('#tabs button[data-tab="topics"]');
    await page.click(`a[data-topic="${topic}"]`);
    await waitText('#topic-title', topic, 'the topic page');
    const row = page.locator('#partitions-table tbody tr[data-partition="0"] td');
    await waitFor(async () => (await row.nth(5).textContent()) === '20', { what: 'log end offset 20', timeoutMs: 10_000, intervalMs: 100 });
    assert.equal(await row.nth(4).textContent(), '0');
    assert.equal(await row.nth(6).textContent(), '20');

    await page.selectOption('#mb-mode', 'offset');
    await page.fill('#mb-offset', '5');
    await page.fill('#mb-limit', '3');
    await page.click('#mb-load');
    await waitFor(async () => (await page.locator('#messages-table tbody tr[data-offset]').count()) === 3, { what: 'three messages', timeoutMs: 10_000, intervalMs: 100 });
    const offsets = await page.locator('#messages-table tbody tr[data-offset]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-offset')));
    assert.deepEqual(offsets, ['5', '6', '7']);
    const cells = page.locator('#messages-table tbody tr[data-offset="5"] td');
    assert.equal(await cells.nth(1).textContent(), new Date(T0 + 5000).toISOString());
    assert.equal(await cells.nth(2).textContent(), 'user-5');
    assert.equal(await cells.nth(3).textContent(), '{"click":5}');
    assert.equal(await cells.nth(4).textContent(), 'page=/home');

    await page.click('#mb-next');
    await waitFor(async () => (await page.locator('#messages-table tbody tr[data-offset="8"]').count()) === 1, { what: 'the next page', timeoutMs: 10_000, intervalMs: 100 });

    await page.selectOption('#mb-mode', 'time');
    await page.fill('#mb-time', new Date(T0 + 1_800_000).toISOString());
    await page.click('#mb-load');
    await waitFor(async () => (await page.locator('#messages-table tbody tr[data-offset]').first().getAttribute('data-offset')) === '10', { what: 'messages from the time', timeoutMs: 10_000, intervalMs: 100 });
    assert.equal(await page.locator('#messages-table tbody tr[data-offset="10"] td').nth(2).textContent(), 'user-10');
  });

  it("shows a group's lag per partition and over time", async () => {
    await page.click('#tabs button[data-tab="groups"]');
    await waitFor(async () => (await page.locator(`#groups-table tr[data-group-row="${group}"] td[data-total-lag]`).getAttribute('data-total-lag')) === '14', { what: 'the group with lag 14', timeoutMs: 10_000, intervalMs: 100 });
    await page.click(`a[data-group="${group}"]`);
    await waitText('#group-total-lag', '14', 'the group page');
    const partition = page.locator(`#group-partitions tbody tr[data-partition="0"]`);
    assert.equal(await partition.getAttribute('data-lag'), '14');
    assert.equal(await partition.locator('td').nth(2).textContent(), '6');
    assert.equal(await partition.locator('td').nth(3).textContent(), '20');
    await waitFor(async () => Number(await page.getAttribute('#lag-chart', 'data-points')) > 0 && (await page.locator('#lag-chart polyline').count()) === 1, {
      what: 'the lag chart',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    assert.equal(JSON.parse((await page.getAttribute('#lag-chart', 'data-last'))!)['total lag'], 14);
  });

  it('updates the throughput charts while a producer loads the broker', async () => {
    await page.click('#tabs button[data-tab="throughput"]');
    await waitFor(async () => Number(await page.getAttribute('#tp-msgs-chart', 'data-points')) > 0, { what: 'the throughput chart', timeoutMs: 10_000, intervalMs: 100 });
    const kafka = new Kafka({ clientId: 'console-load', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    let stop = false;
    let loading: Promise<void> = Promise.resolve();
    try {
      await producer.connect();
      loading = (async () => {
        while (!stop) await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: `load-${i}` })) });
      })();
      const pointsBefore = Number(await page.getAttribute('#tp-msgs-chart', 'data-points'));
      await waitFor(async () => {
        const last = JSON.parse((await page.getAttribute('#tp-msgs-chart', 'data-last')) ?? '{}') as Record<string, number>;
        const bytesLast = JSON.parse((await page.getAttribute('#tp-bytes-chart', 'data-last')) ?? '{}') as Record<string, number>;
        return (last['messages in'] ?? 0) > 0 && (bytesLast.in ?? 0) > 0 && Number(await page.getAttribute('#tp-msgs-chart', 'data-points')) > pointsBefore;
      }, { what: 'the chart to show messages coming in', timeoutMs: 15_000, intervalMs: 100 });
      assert.notEqual(await text('#tp-now-msgs'), '0.0');
      assert.ok(Number(await page.getAttribute('#tp-msgs-chart', 'data-max')) > 0);
      assert.equal(await page.locator('#tp-msgs-chart polyline').count(), 1);
      assert.equal(await page.locator(`#tp-topics tbody tr[data-topic="${topic}"]`).count(), 1);
    } finally {
      stop = true;
      await loading.catch(() => {});
      await producer.disconnect();
    }
  });

  it('shows collectors without their secrets', async () => {
    await page.click('#tabs button[data-tab="collectors"]');
    const card = page.locator('.collector[data-collector="tracking"]');
    await waitFor(async () => ((await card.count()) === 1 ? card.textContent() : null), { what: 'the collector card', timeoutMs: 10_000, intervalMs: 100 });
    const shown = (await card.textContent()) ?? '';
    assert.match(shown, /up/);
    assert.match(shown, /"events": 42/);
    assert.match(shown, /\[redacted\]/);
    const wholePage = await page.content();
    for (const secret of ['pa55word', 'hunter2', 'ops:']) assert.ok(!wholePage.includes(secret), `the page does not show ${secret}`);
  });
});
