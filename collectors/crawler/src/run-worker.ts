import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '@tributary/common';
import { BrowserRenderer, DEFAULT_CHROMIUM } from './fetch/browser-renderer.ts';
import { connectRedis } from './redis-connection.ts';
import { CrawlWorker } from './worker/crawl-worker.ts';
import { loadExtractor } from './worker/crawl-output.ts';
import { KafkaOutput } from './worker/kafka-output.ts';
import { CrawlMetrics } from './worker/metrics.ts';

export interface CrawlWorkerSettings {
  redisUrl: string;
  bootstrapServers: string;
  concurrency: number;
  workerId?: string;
  /** Serve Prometheus metrics on this port (0: a free one); undefined: no metrics server. */
  metricsPort?: number;
  /** A module whose default export turns a page into records for crawl.items. */
  extractorPath?: string;
  chromiumPath?: string;
  /** false: never start a browser, whatever the crawl asks. */
  render?: boolean;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  discoveryIntervalMs?: number;
  log?: Logger;
}

export interface RunningCrawlWorker {
  workerId: string;
  metricsPort: number | null;
  close(): Promise<void>;
}

/** Everything a `tributary crawl worker` process runs, wired together; close() undoes it in order. */
export async function startCrawlWorker(settings: CrawlWorkerSettings): Promise<RunningCrawlWorker> {
  const workerId = settings.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 4)}`;
  const log = (settings.log ?? createLogger('crawler')).child({ workerId });
  const extractor = settings.extractorPath ? await loadExtractor(settings.extractorPath) : null;
  const redis = await connectRedis(settings.redisUrl);
  const output = new KafkaOutput(settings.bootstrapServers, `tributary-crawler-${workerId}`);
  const renderer = settings.render === false ? null : new BrowserRenderer(settings.chromiumPath ?? DEFAULT_CHROMIUM);
  const metrics = new CrawlMetrics();
  const metricsPort = settings.metricsPort === undefined ? null : await metrics.listen(settings.metricsPort);
  const worker = new CrawlWorker({
    workerId,
    concurrency: settings.concurrency,
    redis,
    connection: redis,
    output,
    renderer,
    extractor,
    metrics,
    log,
    lockDurationMs: settings.lockDurationMs,
    stalledIntervalMs: settings.stalledIntervalMs,
    discoveryIntervalMs: settings.discoveryIntervalMs,
  });
  await worker.start();
  log.info({ concurrency: settings.concurrency, metricsPort, extractor: settings.extractorPath ?? null }, 'crawl worker started');
  return {
    workerId,
    metricsPort,
    async close() {
      await worker.close();
      await output.close();
      await renderer?.close();
      await metrics.close();
      await redis.quit();
      log.info('crawl worker stopped');
    },
  };
}
