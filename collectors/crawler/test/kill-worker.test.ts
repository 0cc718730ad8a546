import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@tributary/testkit';
import { CrawlEnv } from './support/crawl-env.ts';
import { html, links, startSite } from './support/site.ts';

const PAGES = 800;

let env: CrawlEnv;
let site: Awaited<ReturnType<typeof startSite>>;

before(async () => {
  env = await CrawlEnv.start();
  // Each page takes a few milliseconds, so the crawl is still going when a worker is killed.
  site = await startSite(async (_request, response, path) => {
    if (path === '/robots.txt') return html(response, '', 404);
    const match = /^\/p\/(\d+)$/.exec(path);
    if (!match || Number(match[1]) >= PAGES) return html(response, 'not found', 404);
    const i = Number(match[1]);
    await sleep(3);
    const targets = [2 * i + 1, 2 * i + 2, (i * 13 + 5) % PAGES, 0].filter((n) => n < PAGES).map((n) => `/p/${n}`);
    html(response, `<title>P${i}</title><body>page ${i} ${links(targets)}</body>`);
  });
});

after(async () => {
  await site?.close();
  await env?.stop();
});

test('kill -9 of one worker mid-crawl: the other finishes, no page lost, none landed twice', async () => {
  const spec = await env.startCrawl({
    id: 'killed',
    seeds: [`${site.origin}/p/0`],
    maxDepth: 30,
    politenessDelayMs: 0,
    requestTimeoutMs: 2000,
    retryDelayMs: 50,
    allowPrivateAddresses: true,
  });
  // A short lock so the dead worker's pages come back within seconds, not the default 30 s.
  const doomed = env.spawnWorker(['--concurrency', '4', '--lock-duration-ms', '2000']);
  env.spawnWorker(['--concurrency', '4', '--lock-duration-ms', '2000']);
  await waitFor(async () => (await env.frontier.status(spec.id)).done >= PAGES / 4, { what: 'a quarter of the site to land', timeoutMs: 60_000, intervalMs: 20 });
  await doomed.kill9();
  const landedAtKill = (await env.frontier.status(spec.id)).done;
  assert.ok(landedAtKill < PAGES, 'the kill happened mid-crawl');

  const status = await env.untilFinished(spec.id, 90_000);
  await env.reader.drained();
  const keys = env.reader.of('crawl.pages').map((record) => record.key!);
  const duplicates = keys.filter((key, index) => keys.indexOf(key) !== index);
  assert.deepEqual(duplicates, [], 'no page may land twice');
  const expected = new Set(Array.from({ length: PAGES }, (_, i) => `${site.origin}/p/${i}`));
  assert.deepEqual(new Set(keys), expected, 'no page may be lost');
  assert.equal(status.done, PAGES);
  assert.equal(env.reader.of('crawl.errors').length, 0);
});
