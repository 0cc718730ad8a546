import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort, launchChromium, readTopics, startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { snippet, startCollector, trackingConfig, type Collector, type EnrichedEvent } from '../src/index.ts';

/**
 * The tracker in Debian's Chromium: a site on one origin embeds the snippet, the collector is on
 * another, and what lands in tracking.events is read back with kafkajs.
 */
describe('browser tracker end to end', () => {
  let broker: BrokerInstance;
  let collector: Collector;
  let collectorPort: number;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;
  let reader: Awaited<ReturnType<typeof readTopics>>;

  const startOurCollector = async () =>
    startCollector(trackingConfig({ port: collectorPort, host: '127.0.0.1', bootstrapServers: broker.bootstrap, spoolDir: mkdtempSync(join(tmpdir(), 'tracking-browser-')) }));

  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
    collectorPort = await freePort();
    collector = await startOurCollector();
    const collectorUrl = collector.url;
    site = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><html><head><title>Shop</title>
${snippet(`${collectorUrl}/t.js`, { collector: collectorUrl, trackClicks: true, batchSize: 50, flushIntervalMs: 100, retryBaseMs: 100, retryMaxMs: 500 })}
</head><body>
<button id="pricing" onclick="history.pushState({}, '', '/pricing')">Pricing</button>
</body></html>`);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    browser = await launchChromium();
    reader = await readTopics(broker.bootstrap, ['tracking.events', 'tracking.bad']);
  });

  after(async () => {
    await browser?.close();
    await reader?.stop();
    await collector?.close();
    site?.close();
    await broker?.stop();
  });

  const eventsOf = (anonymousId: string) => reader.parsed<EnrichedEvent>('tracking.events').filter((e) => e.anonymousId === anonymousId);
  const labelOf = (e: EnrichedEvent) => (e.type === 'track' ? `track:${e.event}` : e.type);

  async function openSite(context: BrowserContext, path = '/'): Promise<{ page: Page; anonymousId: string }> {
    const page = await context.newPage();
    await page.goto(`${siteUrl}${path}`);
    await page.waitForFunction(() => (window as unknown as { tributary?: { loaded?: boolean } }).tributary?.loaded === true);
    const anonymousId = await page.evaluate(() => localStorage.getItem('_trb_aid'));
    assert.ok(anonymousId);
    return { page, anonymousId };
  }

  const queueLength = (page: Page) => page.evaluate(() => (JSON.parse(localStorage.getItem('_trb_q') ?? '[]') as unknown[]).length);
  const failedBatch = (page: Page) => page.waitForEvent('requestfailed', { predicate: (request) => request.url().endsWith('/v1/batch'), timeout: 15_000 });

  it('delivers page views, an SPA route change, a click, a custom event and identify, in order, with ids, session and context', async () => {
    const context = await browser.newContext();
    const { page, anonymousId } = await openSite(context, '/?utm_source=newsletter&utm_campaign=winter');
    await page.click('#pricing');
    await page.evaluate(() => {
      const t = (window as unknown as { tributary: (...args: unknown[]) => void }).tributary;
      t('track', 'signup', { plan: 'pro' });
      t('identify', 'user-42', { plan: 'pro' });
    });
    await page.close({ runBeforeUnload: true });

    const events = await waitFor(() => { const found = eventsOf(anonymousId); return found.length >= 5 ? found : null; }, { what: 'five events from the page', timeoutMs: 20_000 });
    assert.deepEqual(events.map(labelOf), ['page', 'track:click', 'page', 'track:signup', 'identify']);
    assert.equal(new Set(events.map((e) => e.eventId)).size, 5, 'every event has its own id');
    assert.ok(events.every((e) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(e.eventId)));
    assert.equal(new Set(events.map((e) => e.sessionId)).size, 1, 'one session');
    assert.deepEqual(events.map((e) => e.userId), [null, null, null, null, 'user-42']);
    const [landing, click, pricing, signup, identify] = events as [EnrichedEvent, EnrichedEvent, EnrichedEvent, EnrichedEvent, EnrichedEvent];
    const landingPage = (landing.context as { page: { url: string; path: string; title: string } }).page;
    assert.equal(landingPage.path, '/');
    assert.equal(landingPage.title, 'Shop');
    assert.deepEqual((landing.context as { utm: unknown }).utm, { source: 'newsletter', campaign: 'winter' });
    assert.ok((landing.context as { timezone: string }).timezone.length > 0);
    assert.ok((landing.context as { viewport: { width: number } }).viewport.width > 0);
    assert.deepEqual(click.properties, { tag: 'button', text: 'Pricing', id: 'pricing' });
    const pricingPage = (pricing.context as { page: { path: string; referrer: string } }).page;
    assert.equal(pricingPage.path, '/pricing');
    assert.equal(pricingPage.referrer, landingPage.url, 'an SPA page view names the previous route as referrer');
    assert.deepEqual(signup.properties, { plan: 'pro' });
    assert.deepEqual(identify.traits, { plan: 'pro' });
    assert.equal(identify.ua.browser.name, 'Chrome Headless');
    assert.equal(reader.of('tracking.events').filter((r) => r.key === anonymousId).length, 5, 'keyed by anonymous id');
    await context.close();
  });

  it('delivers events tracked while offline once, when the browser is back online', async () => {
    const context = await browser.newContext();
    const { page, anonymousId } = await openSite(context);
    await waitFor(() => eventsOf(anonymousId).length === 1, { what: 'the landing page view' });
    await context.setOffline(true);
    const failed = failedBatch(page);
    await page.evaluate(() => {
      const t = (window as unknown as { tributary: (...args: unknown[]) => void }).tributary;
      for (const n of [1, 2, 3]) t('track', `offline-${n}`);
    });
    await failed;
    assert.equal(await queueLength(page), 3, 'kept in localStorage while offline');
    await context.setOffline(false);
    await waitFor(async () => (await queueLength(page)) === 0, { what: 'the queue to drain', timeoutMs: 15_000 });
    await waitFor(() => eventsOf(anonymousId).length >= 4, { what: 'offline events to land' });
    assert.deepEqual(eventsOf(anonymousId).map(labelOf), ['page', 'track:offline-1', 'track:offline-2', 'track:offline-3']);
    await context.close();
  });

  it('retries events from localStorage once the collector is back, across a page reload, without duplicates', async () => {
    const context = await browser.newContext();
    const { page, anonymousId } = await openSite(context);
    await waitFor(() => eventsOf(anonymousId).length === 1, { what: 'the landing page view' });
    await collector.close();
    const failed = failedBatch(page);
    await page.evaluate(() => {
      const t = (window as unknown as { tributary: (...args: unknown[]) => void }).tributary;
      t('track', 'down-1');
      t('track', 'down-2');
    });
    await failed;
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { tributary?: { loaded?: boolean } }).tributary?.loaded === true);
    await failedBatch(page);
    collector = await startOurCollector();
    await waitFor(async () => (await queueLength(page)) === 0, { what: 'the queue to drain', timeoutMs: 15_000 });
    await waitFor(() => eventsOf(anonymousId).length >= 4, { what: 'retried events to land' });
    assert.deepEqual(eventsOf(anonymousId).map(labelOf), ['page', 'track:down-1', 'track:down-2', 'page']);
    await context.close();
  });
});
