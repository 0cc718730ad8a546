import { FetchError, RETRYABLE_FAILURES } from '../fetch/http-fetcher.ts';

/** A URL that cannot be crawled, for a reason another attempt will not change. */
export class SkipPage extends Error {
  constructor(readonly reason: string, message: string, readonly status: number | null = null) {
    super(message);
    this.name = 'SkipPage';
  }
}

/** A server answer another attempt may change: 5xx, 429. */
export class RetryableStatus extends Error {
  constructor(readonly status: number, url: string) {
    super(`HTTP ${status} from ${url}`);
    this.name = 'RetryableStatus';
  }
}

/** The job's lock passed to another worker (this one stalled): it must not write anything more. */
export class LostLock extends Error {
  constructor(url: string) {
    super(`lost the lock on ${url}: another worker owns the job now`);
    this.name = 'LostLock';
  }
}

/** A redirect to another origin: the target is queued as a URL of its own. */
export class OffsiteRedirect extends Error {
  constructor(readonly target: string) {
    super(`redirects to another origin: ${target}`);
    this.name = 'OffsiteRedirect';
  }
}

export interface Failure {
  reason: string;
  message: string;
  status: number | null;
  retryable: boolean;
}

/** The Kafka client nests the broker's reasons (errors[], cause); they are what names the fix. */
export function describe(error: unknown): string {
  const parts: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    const record = value as { message?: unknown; errors?: unknown; cause?: unknown; code?: unknown };
    if (typeof record.message === 'string' && !parts.includes(record.message)) parts.push(record.code ? `${record.message} (${String(record.code)})` : record.message);
    if (Array.isArray(record.errors)) record.errors.forEach((child) => visit(child, depth + 1));
    visit(record.cause, depth + 1);
  };
  visit(error, 0);
  return parts.length > 0 ? parts.join(': ') : String(error);
}

export function classify(error: unknown): Failure {
  if (error instanceof SkipPage) return { reason: error.reason, message: error.message, status: error.status, retryable: false };
  if (error instanceof RetryableStatus) return { reason: 'http-status', message: error.message, status: error.status, retryable: true };
  if (error instanceof FetchError) return { reason: error.reason, message: error.message, status: null, retryable: RETRYABLE_FAILURES.has(error.reason) };
  const message = describe(error);
  if (error instanceof Error && error.name === 'TimeoutError') return { reason: 'render-timeout', message, status: null, retryable: true };
  // Broker or Redis trouble, a browser crash: worth another attempt after the backoff.
  return { reason: 'internal', message, status: null, retryable: true };
}
