import { createHash, randomUUID } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { canonicalizeUrl } from '../url/canonicalize.ts';
import { defaultCrawlSpec, outOfScopeReason, validateSpec, type CrawlSpec } from '../crawl-spec.ts';
import { keys, queueName } from './keys.ts';
import { reserveUrls } from './reserve.ts';

export interface UrlJob {
  crawlId: string;
  url: string;
  depth: number;
  referrer: string | null;
}

export type CrawlState = 'starting' | 'running' | 'paused' | 'cancelled' | 'finished';

export interface CrawlStatus {
  id: string;
  state: CrawlState;
  queued: number;
  active: number;
  delayed: number;
  /** Pages landed in crawl.pages. */
  done: number;
  /** URLs reported to crawl.errors. */
  failed: number;
  /** URLs that ended without a record of their own (a redirect to a page landed elsewhere). */
  skipped: number;
  enqueued: number;
  bytes: number;
  /** Pages per second over the last 10 seconds, and since the crawl started. */
  pagesPerSecond: number;
  averagePagesPerSecond: number;
  startedAt: string;
}

export interface Candidate {
  url: string;
  depth: number;
  referrer: string | null;
}

/** The same URL always gets the same job id, so adding it twice while it is queued adds nothing. */
export function jobId(url: string): string {
  return `u${createHash('sha1').update(url).digest('hex')}`;
}

/** Counts BullMQ reports for work not finished yet. */
const OPEN_STATES = ['waiting', 'prioritized', 'paused', 'active', 'delayed', 'waiting-children'] as const;

/**
 * The shared frontier: one BullMQ queue per crawl in Redis, plus a Redis set of every canonical
 * URL ever reserved, so a URL is queued once no matter how many workers discover it.
 */
export class Frontier {
  private readonly queues = new Map<string, Queue<UrlJob>>();

  constructor(
    private readonly redis: Redis,
    private readonly connection: ConnectionOptions,
  ) {}

  queue(crawlId: string): Queue<UrlJob> {
    let queue = this.queues.get(crawlId);
    if (!queue) {
      queue = new Queue<UrlJob>(queueName(crawlId), { connection: this.connection });
      this.queues.set(crawlId, queue);
    }
    return queue;
  }

  async startCrawl(options: Partial<CrawlSpec> & { seeds: string[] }): Promise<CrawlSpec> {
    const id = options.id ?? randomUUID().slice(0, 8);
    const seeds = options.seeds.map((seed) => canonicalizeUrl(seed));
    const spec: CrawlSpec = { ...defaultCrawlSpec(id, seeds), ...options, id, seeds, createdAt: Date.now() };
    validateSpec(spec);
    const created = await this.redis.set(keys.spec(id), JSON.stringify(spec), 'NX');
    if (created !== 'OK') throw new Error(`crawl '${id}' already exists: pick another --id`);
    // 'starting' until the seeds are queued, so no worker sees an empty queue and calls it finished.
    await this.redis.multi().sadd(keys.crawls, id).set(keys.state(id), 'starting').exec();
    await this.enqueue(spec, seeds.map((url) => ({ url, depth: 0, referrer: null })));
    await this.redis.set(keys.state(id), 'running');
    return spec;
  }

  async spec(crawlId: string): Promise<CrawlSpec | null> {
    const text = await this.redis.get(keys.spec(crawlId));
    return text ? (JSON.parse(text) as CrawlSpec) : null;
  }

  async requireSpec(crawlId: string): Promise<CrawlSpec> {
    const spec = await this.spec(crawlId);
    if (!spec) throw new Error(`no crawl '${crawlId}' in this Redis: see 'tributary crawl status' for the crawls it holds`);
    return spec;
  }

  async state(crawlId: string): Promise<CrawlState | null> {
    return ((await this.redis.get(keys.state(crawlId))) as CrawlState | null) ?? null;
  }

  /**
   * Queues the in-scope candidates no worker reserved before, up to max pages. With `heal`, also
   * re-adds candidates reserved before but not done: a worker may have died between reserving
   * them and queueing them, and the stable job id makes the re-add a no-op when they are queued.
   */
  async enqueue(spec: CrawlSpec, candidates: Candidate[], heal = false): Promise<string[]> {
    const inScope = new Map<string, Candidate>();
    for (const candidate of candidates) {
      if (!inScope.has(candidate.url) && outOfScopeReason(spec, candidate.url, candidate.depth) === null) inScope.set(candidate.url, candidate);
    }
    const list = [...inScope.values()];
    const answers = await reserveUrls(this.redis, spec.id, spec.maxPages, list.map((candidate) => candidate.url));
    const toAdd = list.filter((_, index) => answers[index] === 'reserved' || (heal && answers[index] === 'pending'));
    if (toAdd.length === 0) return [];
    await this.queue(spec.id).addBulk(
      toAdd.map((candidate) => ({
        name: 'url',
        data: { crawlId: spec.id, url: candidate.url, depth: candidate.depth, referrer: candidate.referrer },
        opts: {
          jobId: jobId(candidate.url),
          // Shallower pages first: BullMQ serves lower priority numbers first.
          priority: Math.min(candidate.depth + 1, 2_000_000),
          attempts: spec.maxAttempts,
          backoff: { type: 'exponential', delay: spec.retryDelayMs },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      })),
    );
    return toAdd.map((candidate) => candidate.url);
  }

  async pause(crawlId: string): Promise<void> {
    await this.requireSpec(crawlId);
    await this.redis.set(keys.state(crawlId), 'paused');
    await this.queue(crawlId).pause();
  }

  async resume(crawlId: string): Promise<void> {
    await this.requireSpec(crawlId);
    const state = await this.state(crawlId);
    if (state === 'cancelled' || state === 'finished') throw new Error(`crawl '${crawlId}' is ${state} and cannot resume: start a new crawl`);
    await this.redis.set(keys.state(crawlId), 'running');
    await this.queue(crawlId).resume();
  }

  /** Stops a crawl for good: queued URLs are dropped, pages in flight finish. */
  async cancel(crawlId: string): Promise<void> {
    await this.stop(crawlId, 'cancelled');
  }

  async stop(crawlId: string, state: 'cancelled' | 'finished', reason?: string): Promise<void> {
    await this.requireSpec(crawlId);
    await this.redis.multi().set(keys.state(crawlId), state).hset(keys.counters(crawlId), 'stopReason', reason ?? state, 'stoppedAt', Date.now()).exec();
    await this.queue(crawlId).drain(true);
  }

  async openJobs(crawlId: string): Promise<number> {
    const counts = await this.queue(crawlId).getJobCounts(...OPEN_STATES);
    return OPEN_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
  }

  /** Marks a running crawl finished once no job is left; active jobs count, so none can add more. */
  async finishIfDrained(crawlId: string): Promise<boolean> {
    if ((await this.state(crawlId)) !== 'running') return false;
    if ((await this.openJobs(crawlId)) > 0) return false;
    await this.redis.multi().set(keys.state(crawlId), 'finished').hsetnx(keys.counters(crawlId), 'stoppedAt', Date.now()).exec();
    return true;
  }

  async status(crawlId: string): Promise<CrawlStatus> {
    const spec = await this.requireSpec(crawlId);
    const counts = await this.queue(crawlId).getJobCounts(...OPEN_STATES);
    const counters = await this.redis.hgetall(keys.counters(crawlId));
    const now = Math.floor(Date.now() / 1000);
    const recent = await this.redis.mget(Array.from({ length: 10 }, (_, i) => keys.rate(crawlId, now - 1 - i)));
    const done = Number(counters.done ?? 0);
    const end = counters.stoppedAt ? Number(counters.stoppedAt) : Date.now();
    const elapsed = Math.max(1, end - spec.createdAt) / 1000;
    return {
      id: crawlId,
      state: (await this.state(crawlId)) ?? 'finished',
      queued: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.paused ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      done,
      failed: Number(counters.failed ?? 0),
      skipped: Number(counters.skipped ?? 0),
      enqueued: Number(counters.enqueued ?? 0),
      bytes: Number(counters.bytes ?? 0),
      pagesPerSecond: recent.reduce((sum, value) => sum + Number(value ?? 0), 0) / 10,
      averagePagesPerSecond: Math.round((done / elapsed) * 10) / 10,
      startedAt: new Date(spec.createdAt).toISOString(),
    };
  }

  async crawls(): Promise<string[]> {
    return (await this.redis.smembers(keys.crawls)).sort();
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
