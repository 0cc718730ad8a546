import type { CrawlErrorRecord, PageRecord } from './page-record.ts';

export const TOPICS = { pages: 'crawl.pages', items: 'crawl.items', errors: 'crawl.errors' } as const;

/** Where a worker's results go: the broker in production (kafka-output.ts), anything in tests. */
export interface CrawlOutput {
  page(record: PageRecord): Promise<void>;
  error(record: CrawlErrorRecord): Promise<void>;
  items(sourceUrl: string, crawlId: string, items: unknown[]): Promise<void>;
  close(): Promise<void>;
}

/** A user extractor: a module whose default export turns a page into records for crawl.items. */
export type Extractor = (page: PageRecord & { html: string }) => unknown[] | Promise<unknown[]>;

export async function loadExtractor(modulePath: string): Promise<Extractor> {
  const loaded = (await import(modulePath)) as { default?: unknown };
  if (typeof loaded.default !== 'function') {
    throw new Error(`extractor ${modulePath} must export a default function (page) => records[]`);
  }
  return loaded.default as Extractor;
}
