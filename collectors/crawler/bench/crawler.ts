// `npm run bench -- crawler`: pages per second crawling a generated local site (node:http, served
// from memory by this process, no artificial delays) with 1 and with 2 `tributary crawl worker`
// processes, against Scrapy crawling the same site with an equivalent spider in the same run.
// Every system gets the same politeness: at most --host-concurrency requests in flight to the
// host, no delay between requests. All pages are on one host, so that cap, not the number of
// worker processes, bounds how many requests are in flight. Each tributary worker runs with
// --concurrency equal to that cap (one worker alone may fill the host); Scrapy's
// CONCURRENT_REQUESTS and CONCURRENT_REQUESTS_PER_DOMAIN are both the cap.
// Options:
//   --pages N             pages on the site, all reachable from the seed (default 3000)
//   --host-concurrency N  requests in flight to the host, for every system (default 8)
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEBIAN_PYTHON, ManagedProcess, requirePythonModule, startBroker, startRedis, waitFor } from '@tributary/testkit';
import { positiveIntOption as option, type BenchOptions, type BenchResult } from '../../../scripts/bench.ts';
import { connectRedis, Frontier, type CrawlStatus } from '../src/index.ts';
import { html, startSite } from '../test/support/site.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(repoRoot, 'cli', 'bin', 'tributary.mjs');
const ROBOTS_TXT = 'User-agent: *\nDisallow: /private/\n';

// ---------------------------------------------------------------------------------------------
// The site: /p/0 .. /p/N-1, 20-50 KB of HTML each (head with inline style and script, nav,
// article, aside, footer), 10-20 in-site links each plus two links to other domains. Page i
// links to 2i+1 and 2i+2, so every page is reachable from /p/0; the rest are pseudo-random.
// ---------------------------------------------------------------------------------------------

const WORDS = (
  'the of and to in is was for on that with as by at from this be are which or an it were have has not but its ' +
  'data stream river basin flow current delta source channel bank valley water rain season survey station report ' +
  'level gauge measure record annual monthly daily north south east west upper lower region district county city ' +
  'history review study method result table figure section chapter summary analysis model estimate value range ' +
  'average total rate change period early late during after before between across along through under over ' +
  'public local national service program project office committee council board agency network system platform ' +
  'market price cost budget growth share trade energy power transport road rail bridge harbour port airport ' +
  'school college university library museum archive garden park forest field farm mill factory workshop'
).split(' ');

const STYLE = `<style>
body{font-family:Georgia,serif;margin:0;color:#222;background:#fafafa;line-height:1.6}
header,footer{background:#143d59;color:#fff;padding:12px 24px}header a,footer a{color:#f4b41a;margin-right:16px}
main{display:flex;max-width:1100px;margin:0 auto;padding:24px}article{flex:3;padding-right:32px}aside{flex:1;border-left:1px solid #ddd;padding-left:24px}
h1{font-size:2.1em;margin:0 0 .5em}h2{font-size:1.4em;margin:1.4em 0 .4em}p{margin:0 0 1em;text-align:justify}
.meta{color:#777;font-size:.9em}.related li{margin:.3em 0}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}
@media (max-width:700px){main{display:block}aside{border:0;padding:0}}
</style>`;

const SCRIPT = `<script>
(function(){var q=window.dataLayer=window.dataLayer||[];q.push({event:'pageview',path:location.pathname,ts:Date.now()});
document.addEventListener('click',function(e){var a=e.target.closest&&e.target.closest('a');if(a){q.push({event:'click',href:a.href});}});})();
</script>`;

/** mulberry32: a small seeded generator, so the site is the same in every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function words(rand: () => number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  return out.join(' ');
}

function sentence(rand: () => number): string {
  const text = words(rand, 8 + Math.floor(rand() * 13));
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

function anchor(target: number, rand: () => number): string {
  return `<a href="/p/${target}">${words(rand, 2 + Math.floor(rand() * 3))}</a>`;
}

interface Site {
  bodies: Buffer[];
  totalBytes: number;
  totalLinks: number;
}

function generateSite(pages: number): Site {
  const bodies: Buffer[] = [];
  let totalBytes = 0;
  let totalLinks = 0;
  for (let i = 0; i < pages; i++) {
    const rand = random(i * 2654435761 + 12345);
    const targetBytes = 20_000 + Math.floor(rand() * 30_000);
    const wanted = Math.min(10 + Math.floor(rand() * 11), pages);
    const targets = new Set<number>([2 * i + 1, 2 * i + 2].filter((n) => n < pages));
    if (pages > 1) targets.add(0);
    for (let tries = 0; targets.size < wanted && tries < 1000; tries++) targets.add(Math.floor(rand() * pages));
    const list = [...targets];
    totalLinks += list.length;
    const title = `${sentence(rand).slice(0, -1)} (page ${i})`;
    const nav = list.slice(0, 3).map((target) => anchor(target, rand)).join(' ');
    const related = list.slice(3, 8).map((target) => `<li>${anchor(target, rand)}</li>`).join('');
    const inText = list.slice(8);
    const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="description" content="${words(rand, 24)}"><link rel="canonical" href="/p/${i}">${STYLE}${SCRIPT}</head><body><header><nav><a href="/p/0">Home</a> ${nav}</nav></header><main><article><h1>${title}</h1><p class="meta">Published ${1 + (i % 28)} March 2024 · ${words(rand, 3)}</p>`;
    const tail = `</article><aside><h2>Related</h2><ul class="related">${related}</ul></aside></main><footer><a href="https://www.example.org/about">About us</a> <a href="https://social.example.net/tributary">Follow</a> © 2024</footer></body></html>`;
    const parts: string[] = [head];
    let size = head.length + tail.length;
    let paragraph = 0;
    while (size < targetBytes) {
      const sentences: string[] = [];
      for (let s = 3 + Math.floor(rand() * 5); s > 0; s--) sentences.push(sentence(rand));
      const link = paragraph < inText.length ? ` See ${anchor(inText[paragraph]!, rand)}.` : '';
      const block = `${paragraph % 6 === 0 ? `<h2>${words(rand, 4)}</h2>` : ''}<p>${sentences.join(' ')}${link}</p>`;
      parts.push(block);
      size += block.length;
      paragraph++;
    }
    // A page too short for its in-text links still gets them, in a last paragraph.
    if (paragraph < inText.length) parts.push(`<p>${inText.slice(paragraph).map((target) => anchor(target, rand)).join(' ')}</p>`);
    parts.push(tail);
    const body = Buffer.from(parts.join(''));
    bodies.push(body);
    totalBytes += body.length;
  }
  return { bodies, totalBytes, totalLinks };
}

interface ServedSite {
  origin: string;
  maxInFlight: number;
  requests: number;
  firstRequestAt: number | null;
  close(): Promise<void>;
}

async function serve(site: Site): Promise<ServedSite> {
  let firstRequestAt: number | null = null;
  const server = await startSite((_request, response, path) => {
    firstRequestAt ??= Date.now();
    if (path === '/robots.txt') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      return void response.end(ROBOTS_TXT);
    }
    const match = /^\/p\/(\d+)$/.exec(path);
    const body = match ? site.bodies[Number(match[1])] : undefined;
    if (!body) return html(response, 'not found', 404);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
    response.end(body);
  });
  return {
    origin: server.origin,
    get maxInFlight() {
      return server.maxInFlight;
    },
    get requests() {
      return server.requested.length;
    },
    get firstRequestAt() {
      return firstRequestAt;
    },
    close: () => server.close(),
  };
}

interface RunFigures {
  pages: number;
  seconds: number;
  /** From the start of the timing to the site's first request (robots.txt). */
  firstRequestSeconds: number;
  maxInFlight: number;
  requests: number;
  version?: string;
}

// ---------------------------------------------------------------------------------------------
// Tributary: a fresh broker and Redis per run, N `tributary crawl worker` processes started and
// ready first, then `tributary crawl start`; timed from the crawl's creation until its done
// counter reaches every page.
// ---------------------------------------------------------------------------------------------

const execFileAsync = promisify(execFile);

async function tributaryCli(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(process.execPath, [CLI, ...args], { cwd: repoRoot, env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'warn' } });
    return stdout;
  } catch (error) {
    const failure = error as { code?: number; stderr?: string; message: string };
    throw new Error(`tributary ${args.slice(0, 2).join(' ')} failed (exit ${failure.code ?? '?'}): ${failure.stderr || failure.message}`);
  }
}

async function crawlWithTributary(site: Site, pages: number, hostConcurrency: number, workerCount: number, logDir: string, progress: (message: string) => void): Promise<RunFigures> {
  const [broker, redisServer] = await Promise.all([startBroker(), startRedis()]);
  const served = await serve(site);
  const redis = await connectRedis(redisServer.url);
  const frontier = new Frontier(redis, redis);
  const workers: ManagedProcess[] = [];
  try {
    for (let w = 0; w < workerCount; w++) {
      const logPath = join(logDir, `tributary-${workerCount}w-worker-${w}.log`);
      const args = [CLI, 'crawl', 'worker', '--redis', redisServer.url, '--bootstrap-server', broker.bootstrap, '--concurrency', String(hostConcurrency), '--no-render'];
      workers.push(new ManagedProcess(process.execPath, args, logPath, { cwd: repoRoot, env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'info' } }));
    }
    await Promise.all(
      workers.map((worker) =>
        worker.untilReady(waitFor(() => readFileSync(worker.logPath, 'utf8').includes('crawl worker started'), { what: 'a crawl worker to start', timeoutMs: 60_000 }), 'tributary crawl worker'),
      ),
    );
    const id = `bench-${workerCount}w`;
    progress(`tributary, ${workerCount} worker${workerCount > 1 ? 's' : ''}: crawl start`);
    await tributaryCli([
      'crawl', 'start', '--redis', redisServer.url, '--id', id, '--seed', `${served.origin}/p/0`,
      '--host-concurrency', String(hostConcurrency), '--delay-ms', '0',
      '--max-depth', '1000', '--max-pages', String(pages * 2), '--render', 'never', '--allow-private-addresses', '--output', 'json',
    ]);
    const spec = await frontier.requireSpec(id);
    const deadline = Date.now() + 120_000 + pages * 100;
    let status: CrawlStatus;
    let doneAt: number;
    for (;;) {
      const dead = workers.find((worker) => !worker.alive);
      if (dead) throw new Error(`a crawl worker exited during the crawl; log ${dead.logPath}`);
      status = await frontier.status(id);
      if (status.done + status.failed + status.skipped >= pages) {
        doneAt = Date.now();
        break;
      }
      if (Date.now() > deadline) throw new Error(`tributary crawl ${id} did not finish in time: ${JSON.stringify(status)}; worker logs in ${logDir}`);
      await sleep(50);
    }
    if (status.done !== pages || status.failed !== 0) throw new Error(`tributary crawl ${id} should land all ${pages} pages and fail none: ${JSON.stringify(status)}; worker logs in ${logDir}`);
    const finished = await waitFor(async () => ((await frontier.status(id)).state === 'finished' ? frontier.status(id) : null), { what: `crawl ${id} to be marked finished`, timeoutMs: 30_000, intervalMs: 100 });
    if (finished.done !== pages || finished.enqueued !== pages) throw new Error(`tributary crawl ${id} finished with ${finished.done} pages landed, ${finished.enqueued} queued; expected ${pages}`);
    return {
      pages,
      seconds: (doneAt - spec.createdAt) / 1000,
      firstRequestSeconds: ((served.firstRequestAt ?? doneAt) - spec.createdAt) / 1000,
      maxInFlight: served.maxInFlight,
      requests: served.requests,
    };
  } finally {
    await Promise.allSettled(workers.map((worker) => worker.stop(15_000)));
    await frontier.close().catch(() => undefined);
    redis.disconnect();
    await served.close();
    await Promise.allSettled([broker.stop(), redisServer.stop()]);
  }
}

// ---------------------------------------------------------------------------------------------
// Scrapy: the same politeness, follow every in-domain link, count pages, keep nothing.
// ---------------------------------------------------------------------------------------------

function scrapySpider(hostConcurrency: number): string {
  return `import json
import time
from urllib.parse import urlparse

import scrapy
from scrapy.linkextractors import LinkExtractor


class BenchSpider(scrapy.Spider):
    """Follows every in-domain link from the start URL and counts the pages; no items, no output."""

    name = "bench"
    custom_settings = {
        "CONCURRENT_REQUESTS": ${hostConcurrency},
        "CONCURRENT_REQUESTS_PER_DOMAIN": ${hostConcurrency},
        "DOWNLOAD_DELAY": 0,
        "ROBOTSTXT_OBEY": True,
        "DEPTH_LIMIT": 0,
        "ITEM_PIPELINES": {},
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }

    def __init__(self, start_url=None, out=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        host = urlparse(start_url).hostname
        self.start_url = start_url
        self.out = out
        self.allowed_domains = [host]
        # Scope is left to the OffsiteMiddleware (allowed_domains, matched on the host name):
        # LinkExtractor(allow_domains=...) compares the host *with its port* in Scrapy 2.8, so it
        # would drop every link of a site on 127.0.0.1:PORT.
        self.links = LinkExtractor()
        self.pages = 0
        self.started = None
        self.last = None

    def start_requests(self):
        self.started = time.time()
        yield scrapy.Request(self.start_url, callback=self.parse)

    def parse(self, response):
        self.pages += 1
        self.last = time.time()
        for link in self.links.extract_links(response):
            yield response.follow(link, callback=self.parse)

    def closed(self, reason):
        stats = self.crawler.stats.get_stats()
        with open(self.out, "w") as f:
            json.dump({"pages": self.pages, "started": self.started, "last": self.last, "reason": reason,
                       "requests": stats.get("downloader/request_count", 0),
                       "errors": stats.get("log_count/ERROR", 0), "version": scrapy.__version__}, f)
`;
}

async function crawlWithScrapy(site: Site, pages: number, hostConcurrency: number, dir: string, progress: (message: string) => void): Promise<RunFigures> {
  const spider = join(dir, 'bench_spider.py');
  const out = join(dir, 'scrapy-result.json');
  writeFileSync(spider, scrapySpider(hostConcurrency));
  const served = await serve(site);
  try {
    progress('Scrapy: runspider');
    const child = spawn(DEBIAN_PYTHON, ['-m', 'scrapy', 'runspider', spider, '-a', `start_url=${served.origin}/p/0`, '-a', `out=${out}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data));
    child.stderr.on('data', (data: Buffer) => (output += data));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000 + pages * 100);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    if (code !== 0 || !existsSync(out)) throw new Error(`scrapy runspider exited with ${code}:\n${output.slice(-3000)}`);
    const result = JSON.parse(readFileSync(out, 'utf8')) as { pages: number; started: number; last: number | null; reason: string; requests: number; errors: number; version: string };
    if (result.pages !== pages || result.last === null) throw new Error(`Scrapy crawled ${result.pages} pages of ${pages} (closed: ${result.reason}):\n${output.slice(-3000)}`);
    const started = result.started * 1000;
    return {
      pages: result.pages,
      seconds: (result.last * 1000 - started) / 1000,
      firstRequestSeconds: ((served.firstRequestAt ?? started) - started) / 1000,
      maxInFlight: served.maxInFlight,
      requests: served.requests,
      version: result.version,
    };
  } finally {
    await served.close();
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const pages = option(options, 'pages', 3000);
  const hostConcurrency = option(options, 'host-concurrency', 8);
  requirePythonModule('scrapy', 'python3-scrapy');
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-crawler-'));
  let ok = false;
  try {
    options.progress(`generating a site of ${pages.toLocaleString('en-US')} pages`);
    const site = generateSite(pages);
    const one = await crawlWithTributary(site, pages, hostConcurrency, 1, dir, options.progress);
    options.progress(`tributary, 1 worker: ${(pages / one.seconds).toFixed(0)} pages/s`);
    const two = await crawlWithTributary(site, pages, hostConcurrency, 2, dir, options.progress);
    options.progress(`tributary, 2 workers: ${(pages / two.seconds).toFixed(0)} pages/s`);
    const scrapy = await crawlWithScrapy(site, pages, hostConcurrency, dir, options.progress);
    options.progress(`Scrapy: ${(pages / scrapy.seconds).toFixed(0)} pages/s`);
    ok = true;

    const kb = (bytes: number) => (bytes / 1024).toFixed(0);
    const seconds = (run: RunFigures) => `${run.seconds.toFixed(1)} s`;
    return {
      title: `Crawling a local site of ${pages.toLocaleString('en-US')} HTML pages, ${hostConcurrency} requests in flight to the host, no delay`,
      subject: 'tributary',
      peers: ['Scrapy'],
      rows: [
        { metric: 'pages crawled per second, 1 process', unit: 'pages/s', better: 'higher', values: { tributary: pages / one.seconds, Scrapy: pages / scrapy.seconds } },
        { metric: 'pages crawled per second, 2 worker processes', unit: 'pages/s', better: 'higher', values: { tributary: pages / two.seconds, Scrapy: undefined } },
      ],
      notes: [
        `The site: ${pages.toLocaleString('en-US')} pages of generated HTML, ${kb(site.totalBytes / pages)} KB on average (20-50 KB: head with inline style and script, nav, article, aside, footer; ${(site.totalBytes / 2 ** 20).toFixed(0)} MiB in all), ${(site.totalLinks / pages).toFixed(1)} in-site links per page (10-20) plus two to other domains, and a robots.txt. It is served from memory by node:http in the benchmark's process on 127.0.0.1, without delays or compression; each run gets a fresh server on a new port. Site server, broker, Redis and crawlers all share this machine's CPUs.`,
        `Politeness, the same for every system: at most ${hostConcurrency} requests in flight to the host and no delay between requests (tributary: \`crawl start --host-concurrency ${hostConcurrency} --delay-ms 0\`; Scrapy: CONCURRENT_REQUESTS_PER_DOMAIN = CONCURRENT_REQUESTS = ${hostConcurrency}, DOWNLOAD_DELAY 0). All pages are on one host, so this cap bounds every run alike: a second worker process adds CPU, not requests in flight. The server answers from memory at once, so requests seldom overlap there (most in flight at once: ${one.maxInFlight} for tributary with 1 worker, ${two.maxInFlight} with 2, ${scrapy.maxInFlight} for Scrapy): the figures are bounded by the crawlers' CPU work per page, not by the cap or the server. On a machine with few cores the workers, broker, Redis and the site server compete for them, which limits what a second worker can add.`,
        `tributary, per page: robots.txt rules (fetched once, shared through Redis), the per-host concurrency and delay decided by a Lua script in Redis, fetch (undici), title, text and link extraction with cheerio, URL canonicalisation and de-duplication through Redis (the frontier is a BullMQ queue in Redis), the page record (body gzip+base64) produced to crawl.pages with acks=all, and the exactly-once bookkeeping (pending marker, done mark in one MULTI). Each worker runs \`tributary crawl worker --concurrency ${hostConcurrency} --no-render\` with a fresh broker and Redis per run; the crawl is started with \`--render never --max-depth 1000\`.`,
        `Scrapy ${scrapy.version} (Debian's python3-scrapy, \`python3 -m scrapy runspider\`): a spider that follows every in-domain link (LinkExtractor on lxml, OffsiteMiddleware with allowed_domains for the scope) and counts pages; ROBOTSTXT_OBEY True, in-memory scheduler and duplicate filter, no items, no pipeline, LOG_LEVEL WARNING.`,
        `Timing. tributary: from \`crawl start\` storing the crawl until its done counter reaches every page (polled every 50 ms); the workers were started and connected before, and notice a new crawl within a second (the first request reached the site ${one.firstRequestSeconds.toFixed(2)} s / ${two.firstRequestSeconds.toFixed(2)} s after the start), which is part of the figure. Scrapy: from the spider's start_requests to its last parse callback; Python's start-up, Scrapy's import and shutdown are not counted (first request after ${scrapy.firstRequestSeconds.toFixed(2)} s). Wall times: ${seconds(one)}, ${seconds(two)}, ${seconds(scrapy)}. Requests served: ${one.requests}, ${two.requests}, ${scrapy.requests} (pages plus robots.txt). Every run crawled all ${pages.toLocaleString('en-US')} pages.`,
      ],
    };
  } finally {
    if (ok) rmSync(dir, { recursive: true, force: true });
    else options.progress(`logs kept in ${dir}`);
  }
}
