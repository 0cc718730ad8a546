import type { CrawlErrorRecord, ItemRecord, PageRecord } from './page-record.ts';

export const TOPICS = { pages: 'crawl.pages', items: 'crawl.items', errors: 'crawl.errors' } as const;

/** Where a worker's results go; every method resolves once the broker acknowledged the records. */
export interface CrawlOutput {
  page(record: PageRecord): Promise<void>;
  errors(records: CrawlErrorRecord[]): Promise<void>;
  items(records: ItemRecord[]): Promise<void>;
  /** The page record keyed `url` of crawl `crawlId` written at or after `since`, if the broker has one. */
  findPage(crawlId: string, url: string, since: number): Promise<PageRecord | null>;
  close(): Promise<void>;
}

/** A user extractor: a module whose default export turns a page into records for crawl.items. */
export type Extractor = (page: PageRecord & { html: string }) => unknown[] | Promise<unknown[]>;

export async function loadExtractor(modulePath: string): Promise<Extractor> {
  const { pathToFileURL } = await import('node:url');
  const { resolve } = await import('node:path');
  const specifier = modulePath.startsWith('.') || modulePath.startsWith('/') ? pathToFileURL(resolve(modulePath)).href : modulePath;
  const loaded = (await import(specifier)) as { default?: unknown; extract?: unknown };
  const extractor = loaded.default ?? loaded.extract;
  if (typeof extractor !== 'function') {
    throw new Error(`extractor ${modulePath} must export a default function (page) => records[]`);
  }
  return extractor as Extractor;
}
