import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { ItemRecord, PageRecord } from '../src/index.ts';
import { CrawlEnv } from './support/crawl-env.ts';
import { html, links, startSite } from './support/site.ts';

const EXTRACTOR = fileURLToPath(new URL('./support/title-extractor.ts', import.meta.url));

let env: CrawlEnv;
let site: Awaited<ReturnType<typeof startSite>>;

before(async () => {
  env = await CrawlEnv.start();
  site = await startSite((_request, response, path) => {
    switch (path) {
      case '/robots.txt':
        return html(response, '', 404);
      case '/':
        return html(response, `<title>Index</title><body>Start here ${links(['/js/app', '/auto'])}</body>`);
      // Named by the crawl's renderJs patterns: rendered whatever its HTML looks like.
      case '/js/app':
        return html(response, `<title>App</title><body><p>Static text before the script.</p><div id="app"></div>
          <script>document.getElementById('app').innerHTML = 'Rendered by script <a href="/from-script">next</a>';</script></body>`);
      // Not named anywhere: an empty body with a script is detected as needing a browser.
      case '/auto':
        return html(response, `<title>Auto</title><body><div id="root"></div><script>
          fetch('/data.json').then((r) => r.json()).then((data) => {
            document.getElementById('root').innerHTML = data.text + ' <a href="' + data.link + '">more</a>';
          });</script></body>`);
      case '/data.json':
        response.writeHead(200, { 'content-type': 'application/json' });
        return void response.end(JSON.stringify({ text: 'Loaded by fetch', link: '/from-fetch' }));
      case '/from-script':
        return html(response, '<title>From script</title><body>reached through a script link</body>');
      case '/from-fetch':
        return html(response, '<title>From fetch</title><body>reached through a fetched link</body>');
      default:
        return html(response, 'not found', 404);
    }
  });
});

after(async () => {
  await site?.close();
  await env?.stop();
});

test('pages a script builds are rendered in Chromium: their text and links are captured and followed', async () => {
  const spec = await env.startCrawl({
    id: 'js',
    seeds: [`${site.origin}/`],
    renderPatterns: ['/js/'],
    render: 'auto',
    politenessDelayMs: 0,
    requestTimeoutMs: 15_000,
    allowPrivateAddresses: true,
  });
  env.spawnWorker(['--concurrency', '2', '--extractor', EXTRACTOR]);
  await env.untilFinished(spec.id, 90_000);
  await env.reader.drained();
  const pages = new Map(env.reader.parsed<PageRecord>('crawl.pages').map((page) => [new URL(page.url).pathname, page]));
  assert.deepEqual([...pages.keys()].sort(), ['/', '/auto', '/from-fetch', '/from-script', '/js/app']);

  const app = pages.get('/js/app')!;
  assert.equal(app.renderedWith, 'chromium');
  assert.match(app.text, /Rendered by script/);
  assert.ok(app.outlinks.includes(`${site.origin}/from-script`));
  assert.ok(app.timings.renderMs !== null);

  const auto = pages.get('/auto')!;
  assert.equal(auto.renderedWith, 'chromium');
  assert.match(auto.text, /Loaded by fetch/);
  assert.ok(auto.outlinks.includes(`${site.origin}/from-fetch`));

  assert.equal(pages.get('/')!.renderedWith, 'http');
  // The browser starts from the fetched document instead of asking the site for it again.
  assert.equal(site.requested.filter((path) => path === '/js/app').length, 1);

  const items = env.reader.parsed<ItemRecord>('crawl.items');
  const appItem = items.find((item) => item.url === `${site.origin}/js/app`);
  assert.deepEqual(appItem?.item, { title: 'App', links: 1 });
  assert.equal(items.length, 5);
});
