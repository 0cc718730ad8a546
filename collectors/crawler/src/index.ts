export { defaultCrawlSpec, validateSpec, outOfScopeReason, type CrawlSpec } from './crawl-spec.ts';
export { Frontier, type CrawlState, type CrawlStatus, type UrlJob } from './frontier/frontier.ts';
export { connectRedis } from './redis-connection.ts';
export { startCrawlWorker } from './start-worker.ts';
export type { CrawlWorkerSettings, RunningCrawlWorker } from './run-worker.ts';
export { TOPICS, type Extractor } from './worker/crawl-output.ts';
export type { PageRecord, CrawlErrorRecord, ItemRecord } from './worker/page-record.ts';
export { canonicalizeUrl, InvalidUrlError } from './url/canonicalize.ts';
export { crawlerSchema, crawlerSettingsFrom } from './worker-config.ts';
