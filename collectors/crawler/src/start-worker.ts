import type { CrawlWorkerSettings, RunningCrawlWorker } from './run-worker.ts';

/**
 * The worker's code (Chromium driver, HTML parser, Kafka client) loads only when a worker
 * starts, so `crawl start|status|pause` stay quick to launch.
 */
export async function startCrawlWorker(settings: CrawlWorkerSettings): Promise<RunningCrawlWorker> {
  return (await import('./run-worker.ts')).startCrawlWorker(settings);
}
