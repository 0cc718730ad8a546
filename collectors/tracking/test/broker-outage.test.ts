import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTopics, startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { startCollector, trackingConfig, type Collector, type EnrichedEvent, type HealthReport } from '../src/index.ts';
import { trackEvent } from './support/events.ts';

for (const ack of ['broker', 'spool'] as const) describe(`collector with ack ${ack} while the broker is down`, () => {
  let broker: BrokerInstance;
  let collector: Collector;

  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
    collector = await startCollector(
      trackingConfig({ port: 0, host: '127.0.0.1', bootstrapServers: broker.bootstrap, spoolDir: mkdtempSync(join(tmpdir(), 'tracking-outage-')), replayIntervalMs: 200, ack }),
    );
  });

  after(async () => {
    await collector?.close();
    await broker?.stop();
  });

  const post = (events: unknown[]) => fetch(`${collector.url}/v1/batch`, { method: 'POST', body: JSON.stringify(events), headers: { 'content-type': 'application/json' } });
  const health = async () => (await (await fetch(`${collector.url}/health`)).json()) as HealthReport;

  it('keeps answering, spools, and lands every spooled event once when the broker returns', async () => {
    const before = Array.from({ length: 3 }, (_, i) => trackEvent({ anonymousId: `visitor-${i}` }));
    assert.equal((await post(before)).status, 200);
    // With ack spool, sends still under way when the broker stops could land twice.
    await waitFor(async () => (await health()).spool.events === 0, { what: 'the events before the outage to be forwarded' });

    await broker.stop();
    const during = Array.from({ length: 20 }, (_, i) => trackEvent({ anonymousId: `visitor-${i % 4}`, event: `outage-${i}` }));
    for (let i = 0; i < during.length; i += 5) {
      const response = await post(during.slice(i, i + 5));
      assert.equal(response.status, 200, 'accepted while the broker is down');
    }
    const pixel = await fetch(`${collector.url}/i?e=page&aid=pixel-during-outage`);
    assert.equal(pixel.status, 200);
    // With ack spool the collector learns of the outage from its background send.
    const degraded = await waitFor(async () => { const report = await health(); return report.status === 'degraded' ? report : null; }, { what: 'health to report the outage' });
    assert.equal(degraded.spool.events, 21, 'all accepted events are on disk');

    await broker.restart();
    await waitFor(async () => (await health()).spool.events === 0, { what: 'the spool to drain', timeoutMs: 30_000 });
    assert.equal((await health()).broker, 'reachable');
    const after = Array.from({ length: 2 }, () => trackEvent({ anonymousId: 'visitor-after' }));
    assert.equal((await post(after)).status, 200);

    const reader = await readTopics(broker.bootstrap, ['tracking.events']);
    try {
      const expected = [...before, ...during, ...after].map((e) => e.eventId as string);
      const landed = await waitFor(() => { const events = reader.parsed<EnrichedEvent>('tracking.events'); return events.length >= expected.length + 1 ? events : null; }, { what: 'every event in tracking.events' });
      const ids = landed.map((e) => e.eventId);
      assert.equal(new Set(ids).size, ids.length, 'no event landed twice');
      for (const id of expected) assert.ok(ids.includes(id), `event ${id} landed`);
      assert.ok(landed.some((e) => e.anonymousId === 'pixel-during-outage'));
      const visitor1 = landed.filter((e) => e.anonymousId === 'visitor-1' && e.event?.startsWith('outage-')).map((e) => e.event);
      assert.deepEqual(visitor1, ['outage-1', 'outage-5', 'outage-9', 'outage-13', 'outage-17'], "one visitor's events stay in order");
    } finally {
      await reader.stop();
    }
  });
});
