import { gzipSync } from 'node:zlib';
import type { FetchedPage } from '../fetch/http-fetcher.ts';
import type { ExtractedPage } from '../extract/links.ts';
import type { UrlJob } from '../frontier/frontier.ts';

/** The broker's default max.message.bytes is 1 MiB; a page record stays well below it. */
export const MAX_RECORD_BYTES = 900 * 1024;
/** Compressed bodies larger than this are left out of the record (bodyOmitted says why). */
export const MAX_STORED_BODY_BYTES = 512 * 1024;

export interface PageRecord {
  crawlId: string;
  /** The canonical URL of the page: where the last redirect led. Also the record key. */
  url: string;
  /** The URL the frontier asked for; differs from url after redirects. */
  requestedUrl: string;
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
  timings: FetchedPage['timings'] & { renderMs: number | null };
  renderedWith: 'http' | 'chromium';
  /** Size of the (rendered) HTML in bytes, before compression. */
  bodyBytes: number;
  bodyEncoding: 'gzip+base64';
  /** gzip of the HTML, base64; null when bodyOmitted says why. */
  body: string | null;
  bodyOmitted: string | null;
  workerId: string;
}

export interface PageParts {
  job: UrlJob;
  page: FetchedPage;
  extracted: ExtractedPage;
  html: string;
  renderedWith: 'http' | 'chromium';
  renderMs: number | null;
  workerId: string;
}

export function pageRecord(parts: PageParts): PageRecord {
  const { job, page, extracted, html } = parts;
  const htmlBytes = Buffer.from(html);
  const compressed = gzipSync(htmlBytes);
  const fits = compressed.length <= MAX_STORED_BODY_BYTES;
  const record: PageRecord = {
    crawlId: job.crawlId,
    url: page.finalUrl,
    requestedUrl: job.url,
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
    timings: { ...page.timings, renderMs: parts.renderMs },
    renderedWith: parts.renderedWith,
    bodyBytes: htmlBytes.length,
    bodyEncoding: 'gzip+base64',
    body: fits ? compressed.toString('base64') : null,
    bodyOmitted: fits ? null : `gzip body of ${compressed.length} bytes exceeds ${MAX_STORED_BODY_BYTES}`,
    workerId: parts.workerId,
  };
  return fitRecord(record);
}

/** Drops what is cheapest to lose until the JSON fits one broker record: body, then text, then links. */
export function fitRecord(record: PageRecord): PageRecord {
  const size = () => Buffer.byteLength(JSON.stringify(record));
  if (size() <= MAX_RECORD_BYTES) return record;
  if (record.body !== null) {
    record.body = null;
    record.bodyOmitted = `record would exceed ${MAX_RECORD_BYTES} bytes`;
  }
  while (size() > MAX_RECORD_BYTES && record.text.length > 1000) record.text = record.text.slice(0, Math.floor(record.text.length / 2));
  while (size() > MAX_RECORD_BYTES && record.outlinks.length > 10) record.outlinks = record.outlinks.slice(0, Math.floor(record.outlinks.length / 2));
  return record;
}

export interface CrawlErrorRecord {
  crawlId: string;
  url: string;
  /** A stable word for grouping: http-status, robots-disallowed, timeout, too-large, ... */
  reason: string;
  message: string;
  status: number | null;
  depth: number | null;
  referrer: string | null;
  attempts: number;
  at: string;
  workerId: string;
}

export interface ItemRecord {
  crawlId: string;
  /** The page the item came from; items are keyed by it. */
  url: string;
  index: number;
  item: unknown;
  workerId: string;
}
