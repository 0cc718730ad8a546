import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, waitFor } from '@tributary/testkit';
import type { CrawlErrorRecord, PageRecord } from '../src/index.ts';
import { CrawlEnv } from './support/crawl-env.ts';
import { html, links, startSite } from './support/site.ts';

const MB = 1024 * 1024;

let env: CrawlEnv;
let site: Awaited<ReturnType<typeof startSite>>;
let metricsPort: number;

before(async () => {
  env = await CrawlEnv.start();
  site = await startSite((_request, response, path) => {
    switch (path) {
      case '/robots.txt':
        return html(response, '', 404);
      case '/start':
        return html(
          response,
          `<title>Start</title><body>${links(['http://exa mple.com/', 'http://[zz]/x', '/huge', '/huge-chunked', '/file.pdf', '/loop/a', '/ok'])}</body>`,
        );
      case '/huge':
        response.writeHead(200, { 'content-type': 'text/html', 'content-length': String(3 * MB) });
        return void response.end(Buffer.alloc(3 * MB, 'a'));
      case '/huge-chunked': {
        // No content-length: the limit must hold while the body streams in.
        response.writeHead(200, { 'content-type': 'text/html' });
        for (let i = 0; i < 30; i++) response.write(Buffer.alloc(100 * 1024, 'b'));
        return void response.end();
      }
      case '/file.pdf':
        response.writeHead(200, { 'content-type': 'application/pdf' });
        return void response.end(Buffer.alloc(1000));
      case '/loop/a':
        response.writeHead(302, { location: '/loop/b' });
        return void response.end();
      case '/loop/b':
        response.writeHead(302, { location: '/loop/a' });
        return void response.end();
      case '/ok':
        return html(response, `<title>OK</title><body>still crawling ${links(['/start'])}</body>`);
      default:
        return html(response, 'not found', 404);
    }
  });
  metricsPort = await freePort();
  env.spawnWorker(['--concurrency', '3', '--metrics-port', String(metricsPort), '--no-render']);
});

after(async () => {
  await site?.close();
  await env?.stop();
});

test('malformed URLs, huge bodies, non-HTML and redirect loops go to crawl.errors with a reason; the crawl goes on', async () => {
  const started = await env.cli(['start', '--redis', env.redisServer.url, '--id', 'bad', '--seed', `${site.origin}/start`, '--allow-private-addresses', '--delay-ms', '0', '--max-body-bytes', String(MB), '--max-depth', '3']);
  assert.equal(started.code, 0, started.log);
  assert.equal(started.log.trim(), 'bad');
  await env.untilFinished('bad', 60_000);
  await env.reader.drained();

  const errors = env.reader.parsed<CrawlErrorRecord>('crawl.errors').filter((error) => error.crawlId === 'bad');
  const reasonOf = (url: string) => errors.filter((error) => error.url === url).map((error) => error.reason);
  assert.deepEqual(reasonOf('http://exa mple.com/'), ['invalid-url']);
  assert.deepEqual(reasonOf('http://[zz]/x'), ['invalid-url']);
  assert.deepEqual(reasonOf(`${site.origin}/huge`), ['too-large']);
  assert.deepEqual(reasonOf(`${site.origin}/huge-chunked`), ['too-large']);
  assert.deepEqual(reasonOf(`${site.origin}/file.pdf`), ['unwanted-type']);
  assert.deepEqual(reasonOf(`${site.origin}/loop/a`), ['redirect-loop']);
  for (const error of errors) assert.ok(error.message.length > 0);

  const pages = env.reader.parsed<PageRecord>('crawl.pages').filter((page) => page.crawlId === 'bad').map((page) => new URL(page.url).pathname);
  assert.deepEqual(pages.sort(), ['/ok', '/start']);

  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  assert.match(metrics, /tributary_crawl_pages_total\{renderer="http"\} 2/);
  assert.match(metrics, /tributary_crawl_errors_total\{reason="too-large"\} 2/);
  assert.match(metrics, /tributary_crawl_bytes_total \d+/);
});

test('the SSRF guard: a crawl that does not allow private addresses never reaches 127.0.0.1', async () => {
  const before = site.requested.length;
  const spec = await env.startCrawl({ id: 'ssrf', seeds: [`${site.origin}/ok`], politenessDelayMs: 0 });
  await env.untilFinished(spec.id, 30_000);
  await env.reader.drained();
  const errors = env.reader.parsed<CrawlErrorRecord>('crawl.errors').filter((error) => error.crawlId === 'ssrf');
  assert.deepEqual(errors.map((error) => [error.url, error.reason]), [[`${site.origin}/ok`, 'blocked-address']]);
  assert.match(errors[0]!.message, /--allow-private-addresses/);
  assert.equal(site.requested.length, before, 'not even robots.txt was requested');
});

test('crawl start refuses bad input with exit 2; pause, resume and cancel drive a crawl', async () => {
  const bad = await env.cli(['start', '--redis', env.redisServer.url, '--seed', 'http://exa mple.com/']);
  assert.equal(bad.code, 2);
  assert.match(bad.log, /--seed/);
  const noCrawl = await env.cli(['pause', '--redis', env.redisServer.url]);
  assert.equal(noCrawl.code, 2);
  assert.match(noCrawl.log, /--crawl ID is required/);

  // Paused before any worker could take its seed: it stays queued until resumed.
  const spec = await env.startCrawl({ id: 'ctl', seeds: [`${site.origin}/ok`, `${site.origin}/start`], allowPrivateAddresses: true, politenessDelayMs: 0 });
  await env.frontier.pause(spec.id);
  assert.equal((await env.cli(['pause', '--redis', env.redisServer.url, '--crawl', 'ctl'])).code, 0);
  assert.equal((await env.frontier.status('ctl')).state, 'paused');
  assert.equal((await env.cli(['resume', '--redis', env.redisServer.url, '--crawl', 'ctl'])).code, 0);
  await waitFor(async () => (await env.frontier.status('ctl')).state === 'finished', { what: 'crawl ctl to finish after resume', timeoutMs: 30_000 });
  assert.equal((await env.cli(['cancel', '--redis', env.redisServer.url, '--crawl', 'ctl'])).code, 0);
  assert.equal((await env.frontier.status('ctl')).state, 'cancelled');
  const resumeCancelled = await env.cli(['resume', '--redis', env.redisServer.url, '--crawl', 'ctl']);
  assert.equal(resumeCancelled.code, 2);
  assert.match(resumeCancelled.log, /cannot resume/);
});
