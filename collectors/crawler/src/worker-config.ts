import type { SectionSchema, SectionValues } from '@tributary/common';
import type { CrawlWorkerSettings } from './run-worker.ts';

/** The `crawler` section: flag > TRIBUTARY_CRAWLER_* > config file > default. */
export const crawlerSchema: SectionSchema = {
  redis: { type: 'string', default: 'redis://127.0.0.1:6379', doc: 'Redis holding the frontier (redis://HOST:PORT).' },
  'bootstrap.servers': { type: 'string', default: '127.0.0.1:9092', doc: 'Brokers crawl.pages, crawl.items and crawl.errors go to.' },
  concurrency: { type: 'int', default: 8, min: 1, max: 1000, doc: 'Pages a worker process handles at once (politeness still applies per host).' },
  'metrics.port': { type: 'int', default: null, min: 0, max: 65535, doc: 'Serve Prometheus metrics on GET /metrics at this port.' },
  extractor: { type: 'string', default: null, doc: 'Module whose default export (page) => records feeds crawl.items.' },
  chromium: { type: 'string', default: '/usr/bin/chromium', doc: 'Chromium for pages that need JavaScript (Debian package chromium).' },
  render: { type: 'boolean', default: true, doc: 'false: never start a browser, whatever a crawl asks.' },
  'lock.duration.ms': { type: 'int', default: 30_000, min: 1000, doc: "How long a dead worker's pages stay claimed before returning to the queue." },
};

/** Worker settings from resolved crawler section values. */
export function crawlerSettingsFrom(values: SectionValues): CrawlWorkerSettings {
  return {
    redisUrl: values.redis as string,
    bootstrapServers: values['bootstrap.servers'] as string,
    concurrency: values.concurrency as number,
    ...(values['metrics.port'] !== null ? { metricsPort: values['metrics.port'] as number } : {}),
    ...(values.extractor !== null ? { extractorPath: values.extractor as string } : {}),
    chromiumPath: values.chromium as string,
    render: values.render as boolean,
    lockDurationMs: values['lock.duration.ms'] as number,
  };
}
