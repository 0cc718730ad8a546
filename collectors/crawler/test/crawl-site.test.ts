import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CrawlErrorRecord, PageRecord } from '../src/index.ts';
import { CrawlEnv } from './support/crawl-env.ts';
import { html, links, startSite } from './support/site.ts';

const PAGES = 2000;

/**
 * A generated site: /p/0..1999 as a binary tree with links back to the root, the parent and a
 * pseudo-random page (cycles everywhere), plus redirects, a robots.txt disallow, slow pages,
 * 404s and 500s hanging off every hundredth page.
 */
async function generatedSite() {
  return startSite(async (_request, response, path) => {
    if (path === '/robots.txt') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      return void response.end('User-agent: *\nDisallow: /private/\n');
    }
    let match = /^\/p\/(\d+)$/.exec(path);
    if (match) {
      const i = Number(match[1]);
      if (i >= PAGES) return html(response, 'no such page', 404);
      const targets = [2 * i + 1, 2 * i + 2].filter((n) => n < PAGES).map((n) => `/p/${n}`);
      targets.push('/p/0', `/p/${Math.floor((i - 1) / 2)}`, `/p/${(i * 7 + 3) % PAGES}#frag`);
      if (i % 100 === 0) targets.push(`/old/${i / 100}`, `/private/${i}`);
      if (i % 100 === 50) targets.push(`/alias/${i}`);
      if (i % 400 === 0) targets.push(`/slow/${i / 400}`);
      if (i % 250 === 0) targets.push(`/missing/${i}`);
      if (i % 500 === 0) targets.push(`/broken/${i}`);
      return html(response, `<head><title>Page ${i}</title></head><body><p>Page number ${i}.</p>${links(targets)}</body>`);
    }
    if ((match = /^\/old\/(\d+)$/.exec(path))) {
      response.writeHead(301, { location: `/moved/${match[1]}` });
      return void response.end();
    }
    if ((match = /^\/alias\/(\d+)$/.exec(path))) {
      response.writeHead(302, { location: `/p/${match[1]}` });
      return void response.end();
    }
    if ((match = /^\/moved\/(\d+)$/.exec(path))) return html(response, `<title>Moved ${match[1]}</title><body>moved here ${links(['/p/0'])}</body>`);
    if ((match = /^\/slow\/(\d+)$/.exec(path))) {
      await sleep(200);
      return html(response, `<title>Slow ${match[1]}</title><body>slow page ${links(['/p/1'])}</body>`);
    }
    if (path.startsWith('/broken/')) return html(response, 'server error', 500);
    return html(response, 'not found', 404);
  });
}

let env: CrawlEnv;
let site: Awaited<ReturnType<typeof generatedSite>>;

before(async () => {
  env = await CrawlEnv.start();
  site = await generatedSite();
});

after(async () => {
  await site?.close();
  await env?.stop();
});

test('two workers crawl a 2,000 page site: every reachable page once, robots obeyed, one request per host at a time', async () => {
  const started = Date.now();
  const spec = await env.startCrawl({
    id: 'site',
    seeds: [`${site.origin}/p/0`],
    maxDepth: 30,
    politenessDelayMs: 1,
    requestTimeoutMs: 5000,
    maxAttempts: 2,
    retryDelayMs: 50,
    allowPrivateAddresses: true,
  });
  env.spawnWorker(['--concurrency', '4']);
  env.spawnWorker(['--concurrency', '4']);
  const status = await env.untilFinished(spec.id, 120_000);
  await env.reader.drained();
  const elapsed = (Date.now() - started) / 1000;

  const pages = env.reader.of('crawl.pages');
  const keys = pages.map((record) => record.key!);
  const expected = new Set<string>();
  for (let i = 0; i < PAGES; i++) expected.add(`${site.origin}/p/${i}`);
  for (let k = 0; k < PAGES / 100; k++) expected.add(`${site.origin}/moved/${k}`);
  for (let k = 0; k < PAGES / 400; k++) expected.add(`${site.origin}/slow/${k}`);
  const duplicates = keys.filter((key, index) => keys.indexOf(key) !== index);
  assert.deepEqual(duplicates, [], 'no page may land twice');
  assert.deepEqual(new Set(keys), expected);
  assert.equal(status.done, expected.size);

  const moved = env.reader.parsed<PageRecord>('crawl.pages').find((page) => page.url === `${site.origin}/moved/3`)!;
  assert.equal(moved.requestedUrl, `${site.origin}/old/3`);
  assert.deepEqual(moved.redirects, [{ from: `${site.origin}/old/3`, to: `${site.origin}/moved/3`, status: 301 }]);
  const page7 = env.reader.parsed<PageRecord>('crawl.pages').find((page) => page.url === `${site.origin}/p/7`)!;
  assert.equal(page7.title, 'Page 7');
  assert.equal(page7.status, 200);
  assert.match(page7.text, /Page number 7/);
  assert.ok(page7.outlinks.includes(`${site.origin}/p/15`));
  assert.equal(page7.bodyEncoding, 'gzip+base64');
  const { gunzipSync } = await import('node:zlib');
  assert.match(gunzipSync(Buffer.from(page7.body!, 'base64')).toString(), /Page number 7/);

  assert.deepEqual(site.requested.filter((path) => path.startsWith('/private/')), [], 'robots.txt disallows /private/');
  assert.equal(site.maxInFlight, 1, 'one request at a time to the host, across both workers');

  const errors = env.reader.parsed<CrawlErrorRecord>('crawl.errors');
  const reasonOf = (path: string) => errors.filter((error) => error.url === `${site.origin}${path}`).map((error) => `${error.reason}:${error.status}`);
  assert.deepEqual(reasonOf('/missing/250'), ['http-status:404']);
  assert.deepEqual(reasonOf('/broken/500'), ['http-status:500']);
  assert.deepEqual(reasonOf('/private/100'), ['robots-disallowed:null']);
  assert.equal(errors.filter((error) => error.url.includes('/broken/')).every((error) => error.attempts === 2), true, '5xx are retried');
  assert.equal(site.requested.filter((path) => path === '/broken/500').length, 2);

  const cli = await env.cli(['status', '--redis', env.redisServer.url, '--crawl', spec.id, '--output', 'json']);
  assert.equal(cli.code, 0, cli.log);
  const [row] = JSON.parse(cli.log) as Array<{ state: string; done: number; failed: number; queued: number }>;
  assert.equal(row!.state, 'finished');
  assert.equal(row!.done, expected.size);
  assert.equal(row!.queued, 0);
  console.log(`crawled ${expected.size} pages in ${elapsed.toFixed(1)} s (${(expected.size / elapsed).toFixed(0)} pages/s)`);
});
