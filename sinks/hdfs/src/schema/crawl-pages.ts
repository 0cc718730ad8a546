import { fieldMapper } from './field-mapper.ts';

/** crawl.pages rows, one per fetched page; the body stays as the crawler wrote it (body_encoding says how). */
export const crawlPagesMapper = fieldMapper('crawl-pages', [
  { name: 'crawl_id', type: 'string', path: 'crawlId' },
  { name: 'url', type: 'string' },
  { name: 'requested_url', type: 'string', path: 'requestedUrl' },
  { name: 'final_url', type: 'string', path: 'finalUrl' },
  { name: 'status', type: 'int32' },
  { name: 'content_type', type: 'string', path: 'contentType' },
  { name: 'title', type: 'string' },
  { name: 'text', type: 'string' },
  { name: 'outlinks', type: 'json' },
  { name: 'depth', type: 'int32' },
  { name: 'referrer', type: 'string' },
  { name: 'fetched_at', type: 'timestamp', path: 'fetchedAt' },
  { name: 'rendered_with', type: 'string', path: 'renderedWith' },
  { name: 'body_bytes', type: 'int64', path: 'bodyBytes' },
  { name: 'body_encoding', type: 'string', path: 'bodyEncoding' },
  { name: 'body', type: 'string' },
  { name: 'body_omitted', type: 'string', path: 'bodyOmitted' },
  { name: 'headers', type: 'json' },
  { name: 'redirects', type: 'json' },
  { name: 'timings', type: 'json' },
  { name: 'worker_id', type: 'string', path: 'workerId' },
]);
