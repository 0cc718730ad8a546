import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import type { Logger } from '@tributary/common';
import { mustRender, outOfScopeReason, type CrawlSpec } from '../crawl-spec.ts';
import { extractPage } from '../extract/links.ts';
import type { BrowserRenderer } from '../fetch/browser-renderer.ts';
import { fetchPage, type FetchedPage } from '../fetch/http-fetcher.ts';
import type { RobotsCache, RobotsRules } from '../fetch/robots.ts';
import { MAX_ROBOTS_BYTES } from '../fetch/robots.ts';
import type { Frontier, UrlJob } from '../frontier/frontier.ts';
import { keys } from '../frontier/keys.ts';
import { claimFinalUrl } from '../frontier/reserve.ts';
import type { CrawlOutput, Extractor } from './crawl-output.ts';
import { classify, LostLock, OffsiteRedirect, RetryableStatus, SkipPage, type Failure } from './failures.ts';
import type { CrawlMetrics } from './metrics.ts';
import { pageRecord, type CrawlErrorRecord, type PageRecord } from './page-record.ts';
import { politely, type PolitenessOptions } from './politeness.ts';

const HTML_TYPES = /^\s*(text\/html|application\/xhtml\+xml)/i;

export interface PageJobContext {
  workerId: string;
  redis: Redis;
  frontier: Frontier;
  robots: RobotsCache;
  politeness: PolitenessOptions;
  dispatcher: (spec: CrawlSpec) => Dispatcher;
  output: CrawlOutput;
  renderer: BrowserRenderer | null;
  extractor: Extractor | null;
  metrics: CrawlMetrics;
  log: Logger;
  lockDurationMs: number;
}

/** What the pending marker says: the record key an attempt was about to write, and when. */
interface PendingMarker {
  key: string;
  since: number;
}

/**
 * One URL from the frontier to crawl.pages or crawl.errors. The order of writes is what makes a
 * page land exactly once even when a worker dies anywhere in between:
 *   1. pending marker in Redis (the record may exist from here on),
 *   2. page record, acknowledged by the broker (acks=all),
 *   3. outlinks into the frontier,
 *   4. done mark and marker removal in one MULTI; then BullMQ completes the job.
 * A later attempt that finds the marker reads crawl.pages back before fetching again.
 */
export async function processPageJob(context: PageJobContext, job: Job<UrlJob>, token: string | undefined, spec: CrawlSpec): Promise<void> {
  const data = job.data;
  const { redis } = context;
  if (await redis.sismember(keys.done(spec.id), data.url)) return;
  if (await recoverLanded(context, spec, data)) return;
  try {
    await crawlPage(context, job, token, spec);
  } catch (error) {
    if (error instanceof DelayedError || error instanceof LostLock) throw error;
    if (error instanceof OffsiteRedirect) {
      await context.frontier.enqueue(spec, [{ url: error.target, depth: data.depth, referrer: data.url }]);
      await finishWithoutRecord(context, spec, data.url);
      return;
    }
    const failure = classify(error);
    const attempt = job.attemptsMade + 1;
    if (!failure.retryable || attempt >= (job.opts.attempts ?? 1)) {
      // The last attempt may have failed after its record was written (a lost broker answer).
      if (await recoverLanded(context, spec, data)) return;
    }
    if (failure.retryable && attempt < (job.opts.attempts ?? 1)) {
      context.metrics.retries.inc();
      context.log.debug({ url: data.url, attempt, reason: failure.reason, message: failure.message }, 'attempt failed; retrying after backoff');
      throw error;
    }
    await recordFailure(context, spec, data, failure, attempt);
  }
}

/** True when an earlier attempt's record is at the broker; the job is then finished from it. */
async function recoverLanded(context: PageJobContext, spec: CrawlSpec, data: UrlJob): Promise<boolean> {
  const pendingText = await context.redis.hget(keys.pending(spec.id), data.url);
  if (!pendingText) return false;
  const marker = JSON.parse(pendingText) as PendingMarker;
  const found = await context.output.findPage(spec.id, marker.key, marker.since);
  context.metrics.recoveries.inc({ outcome: found ? 'found' : 'absent' });
  context.log.info({ url: data.url, key: marker.key, found: found !== null }, 'an earlier attempt may have landed this page; read crawl.pages back');
  if (!found) return false;
  await afterLanding(context, spec, data, found, true);
  return true;
}

async function crawlPage(context: PageJobContext, job: Job<UrlJob>, token: string | undefined, spec: CrawlSpec): Promise<void> {
  const data = job.data;
  const start = new URL(data.url);
  const host = start.host;
  const dispatcher = context.dispatcher(spec);
  const turn = (delayMs: number) => ({ host, limit: spec.maxConcurrencyPerHost, holdMs: spec.requestTimeoutMs + 2000, delayMs });
  const fetchOptions = { userAgent: spec.userAgent, timeoutMs: spec.requestTimeoutMs, allowPrivateAddresses: spec.allowPrivateAddresses };

  let rules: RobotsRules | null = null;
  if (spec.respectRobots) {
    rules = await context.robots.rulesFor(start.origin, (robotsUrl) =>
      politely(context.politeness, job, token, turn(spec.politenessDelayMs), () => fetchPage(robotsUrl, dispatcher, { ...fetchOptions, maxBytes: MAX_ROBOTS_BYTES })),
    );
    if (!rules.isAllowed(data.url, spec.userAgent)) throw new SkipPage('robots-disallowed', `robots.txt of ${start.origin} disallows ${data.url}`);
  }
  const delayMs = Math.max(spec.politenessDelayMs, rules?.crawlDelayMs(spec.userAgent) ?? 0);
  const beforeRedirect = (target: string) => {
    if (new URL(target).origin !== start.origin) throw new OffsiteRedirect(target);
    const outside = outOfScopeReason(spec, target, data.depth);
    if (outside) throw new SkipPage('redirect-out-of-scope', `${data.url} redirects to ${target}: ${outside}`);
    if (rules && !rules.isAllowed(target, spec.userAgent)) throw new SkipPage('robots-disallowed', `${data.url} redirects to ${target}, which robots.txt disallows`);
  };
  const page: FetchedPage = await politely(context.politeness, job, token, turn(delayMs), () =>
    fetchPage(data.url, dispatcher, {
      ...fetchOptions,
      maxBytes: spec.maxBodyBytes,
      wantsContentType: (type) => type === null || HTML_TYPES.test(type),
      beforeRedirect,
    }),
  );
  context.metrics.bytes.inc(page.body.length);
  if (page.status === 429 || page.status >= 500) throw new RetryableStatus(page.status, page.finalUrl);
  if (page.status < 200 || page.status >= 300) throw new SkipPage('http-status', `HTTP ${page.status} from ${page.finalUrl}`, page.status);

  let html = page.body.toString('utf8');
  let extracted = extractPage(html, page.finalUrl);
  let renderedWith: 'http' | 'chromium' = 'http';
  let renderMs: number | null = null;
  const renderer = context.renderer;
  if (renderer && (mustRender(spec, page.finalUrl) || (spec.render === 'auto' && extracted.looksScriptRendered))) {
    // Launching is slow and not the host's business; only the page's own requests hold the host.
    await renderer.warm();
    const rendered = await politely(context.politeness, job, token, turn(delayMs), () =>
      renderer.render({ url: page.finalUrl, status: page.status, contentType: page.contentType, body: page.body, userAgent: spec.userAgent, timeoutMs: spec.requestTimeoutMs, allowPrivateAddresses: spec.allowPrivateAddresses }),
    );
    html = rendered.html;
    extracted = extractPage(html, page.finalUrl);
    renderedWith = 'chromium';
    renderMs = rendered.renderMs;
  }

  if (!(await claimFinalUrl(context.redis, spec.id, page.finalUrl, data.url))) {
    // Another job (a direct link, or another redirect) owns this page and lands it.
    await finishWithoutRecord(context, spec, data.url);
    return;
  }
  const record = pageRecord({ job: data, page, extracted, html, renderedWith, renderMs, workerId: context.workerId });

  // Items and link errors come first and may repeat if this attempt dies: at least once.
  if (context.extractor) {
    const items = await context.extractor({ ...record, html });
    await context.output.items(items.map((item, index) => ({ crawlId: spec.id, url: record.url, index, item, workerId: context.workerId })));
  }
  await context.output.errors(
    extracted.invalidLinks.map((link) => errorRecord(context, spec, { url: link.href, depth: data.depth + 1, referrer: record.url }, { reason: 'invalid-url', message: link.reason, status: null, retryable: false }, 1)),
  );

  const marker: PendingMarker = { key: record.url, since: Date.now() };
  await context.redis.hset(keys.pending(spec.id), data.url, JSON.stringify(marker));
  // A worker that stalled past its lock must not write: the job's new owner may be landing it.
  if (token && Number(await job.extendLock(token, context.lockDurationMs)) !== 1) throw new LostLock(data.url);
  await context.output.page(record);
  await afterLanding(context, spec, data, record, false);
}

async function afterLanding(context: PageJobContext, spec: CrawlSpec, data: UrlJob, record: PageRecord, heal: boolean): Promise<void> {
  const { redis } = context;
  await context.frontier.enqueue(spec, record.outlinks.map((url) => ({ url, depth: record.depth + 1, referrer: record.url })), heal);
  const second = Math.floor(Date.now() / 1000);
  const results = await redis
    .multi()
    .sadd(keys.done(spec.id), data.url, record.url)
    .hdel(keys.pending(spec.id), data.url)
    .hincrby(keys.counters(spec.id), 'done', 1)
    .hincrby(keys.counters(spec.id), 'bytes', record.bodyBytes)
    .incr(keys.rate(spec.id, second))
    .expire(keys.rate(spec.id, second), 120)
    .exec();
  context.metrics.pages.inc({ renderer: record.renderedWith });
  const bytes = Number(results?.[3]?.[1] ?? 0);
  if (spec.maxTotalBytes > 0 && bytes >= spec.maxTotalBytes && (await context.frontier.state(spec.id)) === 'running') {
    context.log.info({ crawlId: spec.id, bytes }, 'crawl reached its byte budget; stopping it');
    await context.frontier.stop(spec.id, 'finished', 'max-bytes');
  }
}

async function finishWithoutRecord(context: PageJobContext, spec: CrawlSpec, url: string): Promise<void> {
  await context.redis.multi().sadd(keys.done(spec.id), url).hdel(keys.pending(spec.id), url).hincrby(keys.counters(spec.id), 'skipped', 1).exec();
}

function errorRecord(context: PageJobContext, spec: CrawlSpec, data: Pick<UrlJob, 'url' | 'depth' | 'referrer'>, failure: Failure, attempts: number): CrawlErrorRecord {
  return {
    crawlId: spec.id,
    url: data.url,
    reason: failure.reason,
    message: failure.message.slice(0, 2000),
    status: failure.status,
    depth: data.depth,
    referrer: data.referrer,
    attempts,
    at: new Date().toISOString(),
    workerId: context.workerId,
  };
}

/** crawl.errors first, then done: an error record is written at least once. */
export async function recordFailure(context: PageJobContext, spec: CrawlSpec, data: UrlJob, failure: Failure, attempts: number): Promise<void> {
  await context.output.errors([errorRecord(context, spec, data, failure, attempts)]);
  await context.redis.multi().sadd(keys.done(spec.id), data.url).hdel(keys.pending(spec.id), data.url).hincrby(keys.counters(spec.id), 'failed', 1).exec();
  context.metrics.errors.inc({ reason: failure.reason });
  context.log.debug({ url: data.url, reason: failure.reason, message: failure.message }, 'URL failed');
}
