import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { canonicalizeUrl } from '../url/canonicalize.ts';
import { defaultCrawlSpec, outOfScopeReason, type CrawlSpec } from '../crawl-spec.ts';
import { keys, queueName } from './keys.ts';

export interface UrlJob {
  crawlId: string;
  url: string;
  depth: number;
  referrer: string | null;
}

export type CrawlState = 'running' | 'paused' | 'cancelled' | 'finished';

export interface CrawlStatus {
  id: string;
  state: CrawlState;
  queued: number;
  active: number;
  delayed: number;
  done: number;
  failed: number;
  enqueued: number;
  pagesLanded: number;
}

/** Retries with exponential backoff: 1 s, 2 s, 4 s. */
const JOB_OPTIONS = { attempts: 4, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 5000 } as const;

/**
 * The shared frontier: one BullMQ queue per crawl in Redis, plus a Redis set of every canonical
 * URL ever enqueued, so a URL is queued once no matter how many workers discover it.
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
    const spec: CrawlSpec = { ...defaultCrawlSpec(id, seeds), ...options, id, seeds };
    const created = await this.redis.set(keys.spec(id), JSON.stringify(spec), 'NX');
    if (created !== 'OK') throw new Error(`crawl '${id}' already exists: pick another --id or cancel it first`);
    await this.redis.multi().sadd(keys.crawls, id).set(keys.state(id), 'running').exec();
    await this.enqueue(spec, seeds.map((url) => ({ url, depth: 0, referrer: null })));
    return spec;
  }

  async spec(crawlId: string): Promise<CrawlSpec | null> {
    const text = await this.redis.get(keys.spec(crawlId));
    return text ? (JSON.parse(text) as CrawlSpec) : null;
  }

  async state(crawlId: string): Promise<CrawlState | null> {
    return ((await this.redis.get(keys.state(crawlId))) as CrawlState | null) ?? null;
  }

  /**
   * Adds in-scope URLs never seen before, until max pages is reached. Returns the URLs added;
   * the rest were duplicates, out of scope or over the limit.
   */
  async enqueue(spec: CrawlSpec, candidates: Array<{ url: string; depth: number; referrer: string | null }>): Promise<string[]> {
    const added: string[] = [];
    for (const candidate of candidates) {
      if (outOfScopeReason(spec, candidate.url, candidate.depth)) continue;
      const fresh = await this.redis.sadd(keys.seen(spec.id), candidate.url);
      if (fresh === 0) continue;
      const count = await this.redis.hincrby(keys.counters(spec.id), 'enqueued', 1);
      if (count > spec.maxPages) {
        await this.redis.hincrby(keys.counters(spec.id), 'enqueued', -1);
        break;
      }
      // Shallower pages first: BullMQ serves lower priority numbers first.
      await this.queue(spec.id).add('url', { crawlId: spec.id, url: candidate.url, depth: candidate.depth, referrer: candidate.referrer }, { ...JOB_OPTIONS, priority: Math.min(candidate.depth + 1, 2_000_000) });
      added.push(candidate.url);
    }
    return added;
  }

  async pause(crawlId: string): Promise<void> {
    await this.redis.set(keys.state(crawlId), 'paused');
    await this.queue(crawlId).pause();
  }

  async resume(crawlId: string): Promise<void> {
    await this.redis.set(keys.state(crawlId), 'running');
    await this.queue(crawlId).resume();
  }

  async cancel(crawlId: string): Promise<void> {
    await this.redis.set(keys.state(crawlId), 'cancelled');
    await this.queue(crawlId).drain(true);
  }

  async status(crawlId: string): Promise<CrawlStatus> {
    const counts = await this.queue(crawlId).getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed', 'paused');
    const counters = await this.redis.hgetall(keys.counters(crawlId));
    const state = (await this.state(crawlId)) ?? 'finished';
    return {
      id: crawlId,
      state,
      queued: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.paused ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      done: Number(counters.done ?? 0),
      failed: Number(counters.failed ?? 0),
      enqueued: Number(counters.enqueued ?? 0),
      pagesLanded: await this.redis.scard(keys.landed(crawlId)),
    };
  }

  async crawls(): Promise<string[]> {
    return (await this.redis.smembers(keys.crawls)).sort();
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
