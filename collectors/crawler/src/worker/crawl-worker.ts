import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import type { Logger } from '@tributary/common';
import { extractPage } from '../extract/links.ts';
import type { BrowserRenderer } from '../fetch/browser-renderer.ts';
import { fetchPage, FetchError, type FetchedPage } from '../fetch/http-fetcher.ts';
import { RobotsCache } from '../fetch/robots.ts';
import { Frontier, type UrlJob } from '../frontier/frontier.ts';
import { HostGate } from '../frontier/host-gate.ts';
import { keys, queueName } from '../frontier/keys.ts';
import type { CrawlSpec } from '../crawl-spec.ts';
import type { CrawlOutput, Extractor } from './crawl-output.ts';
import { pageRecord } from './page-record.ts';

export interface CrawlWorkerOptions {
  workerId: string;
  concurrency: number;
  redis: Redis;
  connection: ConnectionOptions;
  dispatcher: (spec: CrawlSpec) => Dispatcher;
  output: CrawlOutput;
  renderer: BrowserRenderer | null;
  extractor: Extractor | null;
  log: Logger;
  /** How often the worker looks for new crawls to serve. */
  discoveryIntervalMs?: number;
}

const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)/i;

/** Errors that another attempt cannot fix: reported once to crawl.errors, never retried. */
class SkipPage extends UnrecoverableError {
  constructor(readonly reason: string, message: string, readonly status: number | null = null) {
    super(message);
  }
}

/**
 * A crawl worker process: serves every running crawl's queue, fetches politely, lands pages in
 * crawl.pages, failures in crawl.errors, extracted items in crawl.items, and feeds outlinks back
 * into the shared frontier.
 */
export class CrawlWorker {
  private readonly workers = new Map<string, Worker<UrlJob>>();
  private readonly frontier: Frontier;
  private readonly gate: HostGate;
  private readonly specs = new Map<string, CrawlSpec>();
  private readonly robots = new Map<string, RobotsCache>();
  private discovery: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(private readonly options: CrawlWorkerOptions) {
    this.frontier = new Frontier(options.redis, options.connection);
    this.gate = new HostGate(options.redis, options.workerId);
  }

  async start(): Promise<void> {
    await this.discover();
    this.discovery = setInterval(() => void this.discover().catch((error) => this.options.log.warn({ err: error }, 'crawl discovery failed')), this.options.discoveryIntervalMs ?? 1000);
  }

  private async discover(): Promise<void> {
    if (this.closing) return;
    for (const crawlId of await this.frontier.crawls()) {
      if (this.workers.has(crawlId)) continue;
      const state = await this.frontier.state(crawlId);
      if (state === 'cancelled' || state === 'finished') continue;
      const worker = new Worker<UrlJob>(queueName(crawlId), (job, token) => this.process(job, token), {
        connection: this.options.connection,
        concurrency: this.options.concurrency,
        // A worker killed mid-page loses its lock after this long; the page returns to the queue.
        lockDuration: 30_000,
        stalledInterval: 15_000,
        maxStalledCount: 3,
      });
      worker.on('failed', (job, error) => void this.onFailed(job, error));
      worker.on('error', (error) => this.options.log.warn({ err: error, crawlId }, 'worker error'));
      this.workers.set(crawlId, worker);
      await this.options.redis.sadd(keys.workers(crawlId), this.options.workerId);
      this.options.log.info({ crawlId, concurrency: this.options.concurrency }, 'serving crawl');
    }
  }

  private async spec(crawlId: string): Promise<CrawlSpec> {
    let spec = this.specs.get(crawlId);
    if (!spec) {
      const loaded = await this.frontier.spec(crawlId);
      if (!loaded) throw new UnrecoverableError(`crawl ${crawlId} has no spec in Redis`);
      spec = loaded;
      this.specs.set(crawlId, spec);
    }
    return spec;
  }

  private robotsFor(spec: CrawlSpec): RobotsCache {
    let cache = this.robots.get(spec.id);
    if (!cache) {
      cache = new RobotsCache(this.options.redis, this.options.dispatcher(spec), spec.userAgent, spec.requestTimeoutMs);
      this.robots.set(spec.id, cache);
    }
    return cache;
  }

  private async process(job: Job<UrlJob>, token: string | undefined): Promise<void> {
    const data = job.data;
    const spec = await this.spec(data.crawlId);
    if ((await this.frontier.state(spec.id)) === 'cancelled') return;
    if (await this.options.redis.sismember(keys.landed(spec.id), data.url)) return;
    const origin = new URL(data.url).origin;
    const host = new URL(data.url).host;

    let delayMs = spec.politenessDelayMs;
    if (spec.respectRobots) {
      const rules = await this.robotsFor(spec).rulesFor(origin).catch((error: unknown) => {
        throw new SkipPage('blocked-address', (error as Error).message);
      });
      if (!rules.isAllowed(data.url, spec.userAgent)) throw new SkipPage('robots-disallowed', `robots.txt of ${origin} disallows ${data.url}`);
      delayMs = Math.max(delayMs, rules.crawlDelayMs(spec.userAgent) ?? 0);
    }

    const wait = await this.gate.tryAcquire(host);
    if (wait > 0) {
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
    let page: FetchedPage;
    try {
      page = await fetchPage(data.url, this.options.dispatcher(spec), { userAgent: spec.userAgent, timeoutMs: spec.requestTimeoutMs, maxBytes: spec.maxBytes });
    } catch (error) {
      if (error instanceof FetchError && error.reason !== 'timeout' && error.reason !== 'network') throw new SkipPage(error.reason, error.message);
      throw error;
    } finally {
      await this.gate.release(host, delayMs);
    }
    await this.land(job, spec, page);
  }

  private async land(job: Job<UrlJob>, spec: CrawlSpec, page: FetchedPage): Promise<void> {
    const data = job.data;
    if (page.finalUrl !== data.url) {
      // A redirect target is its own page: land it once, under its own URL.
      const fresh = await this.options.redis.sadd(keys.seen(spec.id), page.finalUrl);
      if (fresh === 0) return;
    }
    if (page.status >= 500) throw new Error(`HTTP ${page.status} from ${page.finalUrl}`);
    if (page.status >= 400) throw new SkipPage(`http-${page.status}`, `HTTP ${page.status} from ${page.finalUrl}`, page.status);
    if (page.truncated) throw new SkipPage('body-too-large', `body of ${page.finalUrl} exceeds ${spec.maxBytes} bytes`, page.status);
    if (!page.contentType || !HTML_TYPES.test(page.contentType)) {
      throw new SkipPage('not-html', `content type ${page.contentType ?? 'unknown'} of ${page.finalUrl} is not HTML`, page.status);
    }
    let html = page.body.toString('utf8');
    let extracted = extractPage(html, page.finalUrl);
    let renderedWith: 'http' | 'chromium' = 'http';
    if (this.options.renderer && (spec.render === 'always' || (spec.render === 'auto' && extracted.looksScriptRendered))) {
      const rendered = await this.options.renderer.render(page.finalUrl);
      html = rendered.html;
      extracted = extractPage(html, page.finalUrl);
      renderedWith = 'chromium';
    }
    const record = pageRecord({ ...data, url: page.finalUrl }, page, extracted, renderedWith, this.options.workerId, html);
    record.url = data.url;
    await this.options.output.page(record);
    if (this.options.extractor) {
      const items = await this.options.extractor({ ...record, html });
      if (items.length > 0) await this.options.output.items(page.finalUrl, spec.id, items);
    }
    await this.options.redis.multi().sadd(keys.landed(spec.id), page.finalUrl).hincrby(keys.counters(spec.id), 'done', 1).exec();
    await this.frontier.enqueue(spec, extracted.links.map((url) => ({ url, depth: data.depth + 1, referrer: page.finalUrl })));
  }

  private async onFailed(job: Job<UrlJob> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) return;
    const skip = error instanceof SkipPage ? error : null;
    await this.options.output.error({
      crawlId: job.data.crawlId,
      url: job.data.url,
      reason: skip?.reason ?? 'failed',
      message: error.message,
      status: skip?.status ?? null,
      depth: job.data.depth,
      referrer: job.data.referrer,
      at: new Date().toISOString(),
      workerId: this.options.workerId,
    });
    await this.options.redis.hincrby(keys.counters(job.data.crawlId), 'failed', 1);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.discovery) clearInterval(this.discovery);
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    await this.frontier.close();
  }
}
