import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { canonicalizeUrl } from '../url/canonicalize.ts';
import { BlockedAddressError, isBlockedAddress } from '../url/ssrf-guard.ts';

export interface FetchOptions {
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  allowPrivateAddresses: boolean;
  maxRedirects?: number;
  /** Called before the body is read; return false to stop (the fetch fails with 'unwanted-type'). */
  wantsContentType?: (contentType: string | null) => boolean;
  /** Called before each redirect is followed; throw to refuse it. */
  beforeRedirect?: (target: string) => void | Promise<void>;
}

export interface FetchedPage {
  requestedUrl: string;
  finalUrl: string;
  redirects: Array<{ from: string; to: string; status: number }>;
  status: number;
  headers: Record<string, string>;
  contentType: string | null;
  body: Buffer;
  timings: { startedAt: number; firstByteMs: number; totalMs: number };
}

export type FetchFailure =
  | 'timeout'
  | 'network'
  | 'redirect-loop'
  | 'too-many-redirects'
  | 'invalid-redirect'
  | 'blocked-address'
  | 'too-large'
  | 'unwanted-type';

/** Failures another attempt may fix; the rest are reported once. */
export const RETRYABLE_FAILURES: ReadonlySet<FetchFailure> = new Set(['timeout', 'network']);

export class FetchError extends Error {
  constructor(readonly reason: FetchFailure, message: string) {
    super(message);
    this.name = 'FetchError';
  }
}

/**
 * An undici dispatcher whose DNS lookups refuse private and loopback addresses. Checking at
 * connect time, not before, means a host cannot pass the check and then resolve elsewhere.
 */
export function guardedDispatcher(allowPrivateAddresses: boolean): Dispatcher {
  return new Agent({
    connect: {
      lookup(hostname, options, callback) {
        dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
          if (error) return callback(error, '', 0);
          const list = addresses as LookupAddress[];
          const blocked = allowPrivateAddresses ? undefined : list.find((entry) => isBlockedAddress(entry.address));
          if (blocked) return callback(new BlockedAddressError(hostname, blocked.address), '', 0);
          if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
          callback(null, list[0]!.address, list[0]!.family);
        });
      },
    },
    keepAliveTimeout: 10_000,
  });
}

/** Node connects to IP literals without a DNS lookup, so the dispatcher's guard never sees them. */
function refuseBlockedLiteral(url: string, allowPrivateAddresses: boolean): void {
  if (allowPrivateAddresses) return;
  const hostname = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(hostname) && isBlockedAddress(hostname)) throw new FetchError('blocked-address', new BlockedAddressError(hostname, hostname).message);
}

function errorOf(error: unknown, url: string, timeoutMs: number): FetchError {
  if (error instanceof FetchError) return error;
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (cause instanceof BlockedAddressError) return new FetchError('blocked-address', cause.message);
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError' || /Timeout/.test((error as { code?: string }).code ?? '')) {
    return new FetchError('timeout', `no complete answer from ${url} within ${timeoutMs} ms`);
  }
  return new FetchError('network', `${url}: ${(cause as Error).message}`);
}

/** GET with manual redirects (recorded, loops detected), a timeout and a body size cap. */
export async function fetchPage(url: string, dispatcher: Dispatcher, options: FetchOptions): Promise<FetchedPage> {
  const startedAt = Date.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  const redirects: FetchedPage['redirects'] = [];
  const visited = new Set([url]);
  const maxRedirects = options.maxRedirects ?? 10;
  let current = url;
  for (;;) {
    refuseBlockedLiteral(current, options.allowPrivateAddresses);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(current, {
        method: 'GET',
        dispatcher,
        headers: { 'user-agent': options.userAgent, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal,
      });
    } catch (error) {
      throw errorOf(error, current, options.timeoutMs);
    }
    // Destroying a body we refuse emits 'error'; unheard, that would end the process.
    response.body.on('error', () => undefined);
    const firstByteMs = Date.now() - startedAt;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    if (response.statusCode >= 300 && response.statusCode < 400 && headers.location) {
      await response.body.dump().catch(() => undefined);
      let target: string;
      try {
        target = canonicalizeUrl(headers.location, current);
      } catch (error) {
        throw new FetchError('invalid-redirect', `${current} redirects to an unusable location: ${(error as Error).message}`);
      }
      redirects.push({ from: current, to: target, status: response.statusCode });
      if (visited.has(target)) throw new FetchError('redirect-loop', `redirect loop: ${[...visited, target].join(' -> ')}`);
      if (redirects.length > maxRedirects) throw new FetchError('too-many-redirects', `more than ${maxRedirects} redirects from ${url}`);
      await options.beforeRedirect?.(target);
      visited.add(target);
      current = target;
      continue;
    }
    const contentType = headers['content-type'] ?? null;
    const declared = Number(headers['content-length'] ?? NaN);
    // Refuse before reading: neither a big nor an unwanted body is worth the bytes.
    if (options.wantsContentType && response.statusCode < 300 && !options.wantsContentType(contentType)) {
      response.body.destroy();
      throw new FetchError('unwanted-type', `content type ${contentType ?? '(none)'} of ${current} is not HTML`);
    }
    if (declared > options.maxBytes) {
      response.body.destroy();
      throw new FetchError('too-large', `${current} declares ${declared} bytes, more than the ${options.maxBytes} byte limit`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        if (size > options.maxBytes) {
          response.body.destroy();
          throw new FetchError('too-large', `${current} sent more than the ${options.maxBytes} byte limit`);
        }
        chunks.push(buffer);
      }
    } catch (error) {
      throw errorOf(error, current, options.timeoutMs);
    }
    return {
      requestedUrl: url,
      finalUrl: current,
      redirects,
      status: response.statusCode,
      headers,
      contentType,
      body: Buffer.concat(chunks, size),
      timings: { startedAt, firstByteMs, totalMs: Date.now() - startedAt },
    };
  }
}
