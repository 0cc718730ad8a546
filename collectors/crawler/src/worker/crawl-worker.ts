import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import type { Logger } from '@tributary/common';
import type { CrawlSpec } from '../crawl-spec.ts';
import type { BrowserRenderer } from '../fetch/browser-renderer.ts';
import { guardedDispatcher } from '../fetch/http-fetcher.ts';
import { RobotsCache } from '../fetch/robots.ts';
import { Frontier, type UrlJob } from '../frontier/frontier.ts';
import { HostGate } from '../frontier/host-gate.ts';
import { keys, queueName } from '../frontier/keys.ts';
import { LocalSlots } from '../frontier/local-slots.ts';
import type { CrawlOutput, Extractor } from './crawl-output.ts';
import type { CrawlMetrics } from './metrics.ts';
import { processPageJob, recordFailure, type PageJobContext } from './page-job.ts';

export interface CrawlWorkerOptions {
  workerId: string;
  concurrency: number;
  redis: Redis;
  connection: ConnectionOptions;
  output: CrawlOutput;
  renderer: BrowserRenderer | null;
  extractor: Extractor | null;
  metrics: CrawlMetrics;
  log: Logger;
  /** How often the worker looks for new, finished and cancelled crawls. */
  discoveryIntervalMs?: number;
  /** A worker that dies mid-page loses its jobs' locks after this long; they return to the queue. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock expired. */
  stalledIntervalMs?: number;
  /** Host waits longer than this hand the job back to the queue as delayed. */
  maxInlineWaitMs?: number;
}

/**
 * A crawl worker process: serves every running crawl's queue, fetches politely, lands pages in
 * crawl.pages, failures in crawl.errors, extracted items in crawl.items, and feeds outlinks back
 * into the shared frontier.
 */
export class CrawlWorker {
  private readonly workers = new Map<string, Worker<UrlJob>>();
  private readonly frontier: Frontier;
  private readonly specs = new Map<string, CrawlSpec>();
  private readonly dispatchers = new Map<boolean, Dispatcher>();
  private readonly context: PageJobContext;
  private discovery: NodeJS.Timeout | null = null;
  private discovering: Promise<void> = Promise.resolve();
  private closing = false;

  constructor(private readonly options: CrawlWorkerOptions) {
    this.frontier = new Frontier(options.redis, options.connection);
    this.context = {
      workerId: options.workerId,
      redis: options.redis,
      frontier: this.frontier,
      robots: new RobotsCache(options.redis),
      politeness: { gate: new HostGate(options.redis), slots: new LocalSlots(), maxInlineWaitMs: options.maxInlineWaitMs ?? 2000 },
      dispatcher: (spec) => this.dispatcher(spec.allowPrivateAddresses),
      output: options.output,
      renderer: options.renderer,
      extractor: options.extractor,
      metrics: options.metrics,
      log: options.log,
      lockDurationMs: options.lockDurationMs ?? 30_000,
    };
  }

  async start(): Promise<void> {
    await this.discover();
    this.discovery = setInterval(() => {
      this.discovering = this.discover().catch((error: unknown) => this.options.log.warn({ err: error }, 'crawl discovery failed'));
    }, this.options.discoveryIntervalMs ?? 1000);
  }

  /** Crawls this worker serves now. */
  get serving(): string[] {
    return [...this.workers.keys()];
  }

  private dispatcher(allowPrivate: boolean): Dispatcher {
    let dispatcher = this.dispatchers.get(allowPrivate);
    if (!dispatcher) {
      dispatcher = guardedDispatcher(allowPrivate);
      this.dispatchers.set(allowPrivate, dispatcher);
    }
    return dispatcher;
  }

  private async discover(): Promise<void> {
    if (this.closing) return;
    for (const crawlId of await this.frontier.crawls()) {
      const state = await this.frontier.state(crawlId);
      const worker = this.workers.get(crawlId);
      if (state === 'cancelled' || state === 'finished' || state === null) {
        if (worker) {
          this.workers.delete(crawlId);
          await worker.close();
          this.options.log.info({ crawlId, state }, 'crawl over; no longer serving it');
        }
        continue;
      }
      if (worker) {
        if (await this.frontier.finishIfDrained(crawlId)) this.options.log.info({ crawlId }, 'crawl finished: no URL left');
        continue;
      }
      this.serve(crawlId);
      await this.options.redis.sadd(keys.workers(crawlId), this.options.workerId);
    }
  }

  private serve(crawlId: string): void {
    const lockDuration = this.context.lockDurationMs;
    const worker = new Worker<UrlJob>(queueName(crawlId), (job, token) => this.process(job, token), {
      connection: this.options.connection,
      concurrency: this.options.concurrency,
      lockDuration,
      stalledInterval: this.options.stalledIntervalMs ?? Math.max(1000, Math.floor(lockDuration / 2)),
      // Seconds an idle worker blocks before looking again, e.g. for a resumed queue (BullMQ: 5).
      drainDelay: 1,
      // A page that kills its worker again and again is given up (and reported) after this.
      maxStalledCount: 5,
    });
    worker.on('failed', (job, error) => void this.onFailed(job, error));
    worker.on('error', (error) => this.options.log.warn({ err: error, crawlId }, 'queue worker error'));
    this.workers.set(crawlId, worker);
    this.options.log.info({ crawlId, concurrency: this.options.concurrency }, 'serving crawl');
  }

  private async spec(crawlId: string): Promise<CrawlSpec> {
    let spec = this.specs.get(crawlId);
    if (!spec) {
      spec = await this.frontier.requireSpec(crawlId);
      this.specs.set(crawlId, spec);
    }
    return spec;
  }

  private async process(job: Job<UrlJob>, token: string | undefined): Promise<void> {
    const spec = await this.spec(job.data.crawlId);
    const state = await this.frontier.state(spec.id);
    if (state === 'cancelled' || state === 'finished') return;
    await processPageJob(this.context, job, token, spec);
  }

  /** Only jobs BullMQ itself gave up on (too many stalls) reach here; the rest end in processPageJob. */
  private async onFailed(job: Job<UrlJob> | undefined, error: Error): Promise<void> {
    if (!job || !/stalled more than allowable limit/.test(error.message)) return;
    try {
      const spec = await this.spec(job.data.crawlId);
      if (await this.options.redis.sismember(keys.done(spec.id), job.data.url)) return;
      await recordFailure(this.context, spec, job.data, { reason: 'stalled', message: error.message, status: null, retryable: false }, job.attemptsMade);
    } catch (failure) {
      this.options.log.warn({ err: failure, url: job.data.url }, 'could not report a stalled URL');
    }
  }

  /** Stops taking jobs and lets the ones in hand finish (their records land, their jobs complete). */
  async close(): Promise<void> {
    this.closing = true;
    if (this.discovery) clearInterval(this.discovery);
    await this.discovering;
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    this.workers.clear();
    await this.frontier.close();
    await Promise.all([...this.dispatchers.values()].map((dispatcher) => dispatcher.close()));
  }
}
