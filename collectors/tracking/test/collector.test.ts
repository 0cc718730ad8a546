import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readTopics, startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { startCollector, trackingConfig, type BadRow, type Collector, type EnrichedEvent } from '../src/index.ts';
import { trackEvent } from './support/events.ts';

const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

describe('tracking collector against a broker', () => {
  let broker: BrokerInstance;
  let collector: Collector;
  let reader: Awaited<ReturnType<typeof readTopics>>;

  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
    const dir = mkdtempSync(join(tmpdir(), 'tracking-collector-'));
    const schemasFile = join(dir, 'schemas.yaml');
    writeFileSync(schemasFile, 'events:\n  signup:\n    type: object\n    required: [plan]\n    properties:\n      plan: { enum: [free, pro] }\n');
    collector = await startCollector(
      trackingConfig({
        port: 0,
        host: '127.0.0.1',
        bootstrapServers: broker.bootstrap,
        spoolDir: join(dir, 'spool'),
        trustedProxies: ['127.0.0.1'],
        anonymizeIp: true,
        corsOrigins: ['https://shop.example'],
        maxBodyBytes: 4096,
        maxBatchEvents: 5,
        schemasFile,
      }),
    );
    reader = await readTopics(broker.bootstrap, ['tracking.events', 'tracking.bad']);
  });

  after(async () => {
    await reader?.stop();
    await collector?.close();
    await broker?.stop();
  });

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${collector.url}/v1/batch`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'text/plain', 'user-agent': CHROME_UA, ...headers } });

  const badRowsMatching = (pattern: RegExp) => reader.parsed<BadRow>('tracking.bad').filter((row) => pattern.test(row.reason));

  it('lands a gzip batch enriched, keyed by anonymous id, and drops a re-sent event id', async () => {
    const sentAt = new Date(Date.now() - 60_000).toISOString();
    const first = trackEvent({ anonymousId: 'anon-gzip', sentAt, timestamp: new Date(Date.now() - 61_000).toISOString() });
    const second = trackEvent({ anonymousId: 'anon-gzip', type: 'page', event: undefined, properties: {} });
    const response = await post(gzipSync(JSON.stringify([first, second])), { 'content-encoding': 'gzip', 'x-forwarded-for': '203.0.113.77' });
    assert.deepEqual(await response.json(), { accepted: 2, duplicates: 0, rejected: [] });
    assert.equal(response.status, 200);

    const again = await post(JSON.stringify([first]));
    assert.deepEqual(await again.json(), { accepted: 0, duplicates: 1, rejected: [] });

    const landed = await waitFor(() => {
      const records = reader.of('tracking.events').filter((r) => r.key === 'anon-gzip');
      return records.length >= 2 ? records : null;
    }, { what: 'two events in tracking.events' });
    const events = landed.map((r) => JSON.parse(r.value) as EnrichedEvent);
    assert.deepEqual(events.map((e) => e.eventId), [first.eventId, second.eventId]);
    const enriched = events[0]!;
    assert.equal(enriched.ip, '203.0.113.0', 'X-Forwarded-For from a trusted proxy, anonymised');
    assert.equal(enriched.ua.browser.name, 'Chrome');
    assert.equal(enriched.isBot, false);
    assert.ok(enriched.clockSkewMs! >= 59_000 && enriched.clockSkewMs! < 70_000, `skew ${enriched.clockSkewMs}`);
    assert.ok(Math.abs(Date.parse(enriched.derivedTimestamp) - (Date.parse(enriched.receivedAt) - 1000)) < 50, 'derived = received - (sent - created)');
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(reader.of('tracking.events').filter((r) => r.key === 'anon-gzip').length, 2, 'the re-sent event id did not land twice');
  });

  it('answers 413 for an oversized body and records the reason', async () => {
    const response = await post(JSON.stringify([trackEvent({ properties: { blob: 'x'.repeat(5000) } })]));
    assert.equal(response.status, 413);
    assert.match(((await response.json()) as { error: string }).error, /larger than 4096 bytes/);
    await waitFor(() => badRowsMatching(/larger than 4096 bytes/).length === 1, { what: 'oversized body bad row' });
  });

  it('answers 400 for broken JSON and keeps the raw payload', async () => {
    const response = await post('[{"type": "track", oops');
    assert.equal(response.status, 400);
    const [row] = await waitFor(() => { const rows = badRowsMatching(/broken JSON/); return rows.length ? rows : null; }, { what: 'broken JSON bad row' });
    assert.equal(row!.raw, '[{"type": "track", oops');
    assert.equal(row!.source, 'batch');
    assert.equal(row!.ip, '127.0.0.0');
  });

  it('answers 400 for a broken gzip body and for too many events', async () => {
    assert.equal((await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).status, 400);
    assert.equal((await post(JSON.stringify(Array.from({ length: 6 }, () => trackEvent())))).status, 400);
    assert.equal((await post(JSON.stringify({ not: 'an array' }))).status, 400);
    await waitFor(() => badRowsMatching(/gzip/).length === 1 && badRowsMatching(/must NOT have more than 5 items/).length === 1 && badRowsMatching(/must be array/).length === 1, { what: 'bad rows for gzip, batch size and shape' });
  });

  it('accepts the valid events of a batch and rejects schema violations by index', async () => {
    const good = trackEvent({ anonymousId: 'anon-mixed' });
    const noName = trackEvent({ anonymousId: 'anon-mixed', event: undefined });
    const wrongPlan = trackEvent({ anonymousId: 'anon-mixed', properties: { plan: 'enterprise' } });
    const notUuid = trackEvent({ anonymousId: 'anon-mixed', eventId: 'abc' });
    const response = await post(JSON.stringify([good, noName, wrongPlan, notUuid, 'garbage']));
    assert.equal(response.status, 400);
    const body = (await response.json()) as { accepted: number; rejected: { index: number; reason: string }[] };
    assert.equal(body.accepted, 1);
    assert.deepEqual(body.rejected.map((r) => r.index), [1, 2, 3, 4]);
    assert.match(body.rejected[0]!.reason, /required property 'event'/);
    assert.match(body.rejected[1]!.reason, /schema\(signup\): properties\/plan/);
    assert.match(body.rejected[2]!.reason, /eventId/);
    await waitFor(() => reader.of('tracking.events').some((r) => r.key === 'anon-mixed'), { what: 'the valid neighbour' });
    const rows = await waitFor(() => { const found = reader.parsed<BadRow>('tracking.bad').filter((r) => r.raw.includes('anon-mixed')); return found.length === 3 ? found : null; }, { what: 'three schema bad rows' });
    assert.ok(rows.every((r) => r.reason.startsWith('schema')));
    await waitFor(() => badRowsMatching(/event must be an object/).length === 1, { what: 'non-object bad row' });
  });

  it('always answers the pixel with a 43-byte no-cache GIF, and records garbage parameters', async () => {
    for (const query of ['', '?d=%7Bnot-json', '?foo=bar', '?e=track&aid=x', '?d=42', `?e=page&aid=pixel-visitor&url=${encodeURIComponent('https://shop.example/')}`]) {
      const response = await fetch(`${collector.url}/i${query}`);
      assert.equal(response.status, 200, query);
      assert.equal(response.headers.get('content-type'), 'image/gif');
      assert.match(response.headers.get('cache-control') ?? '', /no-store/);
      const gif = Buffer.from(await response.arrayBuffer());
      assert.equal(gif.length, 43);
      assert.equal(gif.subarray(0, 6).toString(), 'GIF89a');
    }
    await waitFor(() => reader.parsed<BadRow>('tracking.bad').filter((r) => r.source === 'pixel').length === 5, { what: 'five pixel bad rows' });
    const reasons = reader.parsed<BadRow>('tracking.bad').filter((r) => r.source === 'pixel').map((r) => r.reason);
    assert.ok(reasons.some((r) => /d is not JSON/.test(r)));
    assert.ok(reasons.some((r) => /no event parameters/.test(r)));
    assert.ok(reasons.some((r) => /required property 'event'/.test(r)));
    const [event] = await waitFor(() => { const found = reader.parsed<EnrichedEvent>('tracking.events').filter((e) => e.anonymousId === 'pixel-visitor'); return found.length ? found : null; }, { what: 'the flat-form pixel event' });
    assert.equal(event!.type, 'page');
    assert.match(event!.eventId, /^[0-9a-f-]{36}$/);
  });

  it('serves a cacheable tracker under 10 KB gzipped, CORS for configured origins, /health and /metrics', async () => {
    const script = await fetch(`${collector.url}/t.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(script.status, 200);
    assert.match(script.headers.get('cache-control') ?? '', /max-age=3600/);
    const raw = await fetch(`${collector.url}/t.js`, { headers: { 'accept-encoding': 'identity' } });
    const { gzipSync: gzip } = await import('node:zlib');
    const gzipped = gzip(Buffer.from(await raw.arrayBuffer()), { level: 9 }).length;
    assert.ok(gzipped < 10 * 1024, `t.js is ${gzipped} bytes gzipped`);
    const revalidated = await fetch(`${collector.url}/t.js`, { headers: { 'if-none-match': script.headers.get('etag')! } });
    assert.equal(revalidated.status, 304);

    const preflight = await fetch(`${collector.url}/v1/batch`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
    const foreign = await fetch(`${collector.url}/v1/batch`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);

    // With ack spool every event passes through the spool: it is empty once the last one is forwarded.
    const health = await waitFor(async () => { const report = await (await fetch(`${collector.url}/health`)).json(); return report.spool.events === 0 ? report : null; }, { what: 'the spool to be forwarded' });
    assert.deepEqual(health, { status: 'ok', broker: 'reachable', spool: { events: 0, bytes: 0 } });
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    assert.match(metrics, /tributary_tracking_events_accepted_total \d+/);
    assert.match(metrics, /tributary_tracking_broker_reachable 1/);
    const demo = await fetch(`${collector.url}/demo`);
    assert.match(await demo.text(), /tributary\('init'/);
  });
});
