import { gzipSync } from 'node:zlib';
import type { FetchedPage } from '../fetch/http-fetcher.ts';
import type { ExtractedPage } from '../extract/links.ts';
import type { UrlJob } from '../frontier/frontier.ts';

/** Bodies are kept in crawl.pages only up to this size (compressed), so one page fits one record. */
export const MAX_STORED_BODY_BYTES = 512 * 1024;

export interface PageRecord {
  crawlId: string;
  url: string;
  finalUrl: string;
  redirects: FetchedPage['redirects'];
  status: number;
  headers: Record<string, string>;
  contentType: string | null;
  title: string | null;
  text: string;
  outlinks: string[];
  depth: number;
  referrer: string | null;
  fetchedAt: string;
  timings: FetchedPage['timings'];
  renderedWith: 'http' | 'chromium';
  bodyBytes: number;
  /** gzip of the body, base64; null when even compressed it exceeds MAX_STORED_BODY_BYTES. */
  bodyGzipBase64: string | null;
  workerId: string;
}

export function pageRecord(job: UrlJob, page: FetchedPage, extracted: ExtractedPage, renderedWith: 'http' | 'chromium', workerId: string, html: string): PageRecord {
  const compressed = gzipSync(Buffer.from(html));
  return {
    crawlId: job.crawlId,
    url: job.url,
    finalUrl: page.finalUrl,
    redirects: page.redirects,
    status: page.status,
    headers: page.headers,
    contentType: page.contentType,
    title: extracted.title,
    text: extracted.text,
    outlinks: extracted.links,
    depth: job.depth,
    referrer: job.referrer,
    fetchedAt: new Date(page.timings.startedAt).toISOString(),
    timings: page.timings,
    renderedWith,
    bodyBytes: Buffer.byteLength(html),
    bodyGzipBase64: compressed.length <= MAX_STORED_BODY_BYTES ? compressed.toString('base64') : null,
    workerId,
  };
}

export interface CrawlErrorRecord {
  crawlId: string;
  url: string;
  reason: string;
  message: string;
  status: number | null;
  depth: number;
  referrer: string | null;
  at: string;
  workerId: string;
}
