import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, request, type Dispatcher } from 'undici';
import { canonicalizeUrl } from '../url/canonicalize.ts';
import { BlockedAddressError, isBlockedAddress } from '../url/ssrf-guard.ts';

export interface FetchOptions {
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
}

export interface FetchedPage {
  requestedUrl: string;
  finalUrl: string;
  redirects: Array<{ from: string; to: string; status: number }>;
  status: number;
  headers: Record<string, string>;
  contentType: string | null;
  body: Buffer;
  truncated: boolean;
  timings: { startedAt: number; firstByteMs: number; totalMs: number };
}

export class FetchError extends Error {
  constructor(readonly reason: 'timeout' | 'redirect-loop' | 'too-many-redirects' | 'blocked-address' | 'network' | 'invalid-redirect', message: string) {
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

/** GET with manual redirects (recorded, loops detected), a timeout and a body size cap. */
export async function fetchPage(url: string, dispatcher: Dispatcher, options: FetchOptions): Promise<FetchedPage> {
  const startedAt = Date.now();
  const redirects: FetchedPage['redirects'] = [];
  const visited = new Set([url]);
  const maxRedirects = options.maxRedirects ?? 10;
  let current = url;
  for (;;) {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(current, {
        method: 'GET',
        dispatcher,
        headers: { 'user-agent': options.userAgent, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (cause instanceof BlockedAddressError) throw new FetchError('blocked-address', cause.message);
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError' || /Timeout/.test((error as { code?: string }).code ?? '')) {
        throw new FetchError('timeout', `no complete answer from ${current} within ${options.timeoutMs} ms`);
      }
      throw new FetchError('network', `${current}: ${(cause as Error).message}`);
    }
    const firstByteMs = Date.now() - startedAt;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    if (response.statusCode >= 300 && response.statusCode < 400 && headers.location) {
      await response.body.dump();
      let target: string;
      try {
        target = canonicalizeUrl(headers.location, current);
      } catch (error) {
        throw new FetchError('invalid-redirect', `${current} redirects to an unusable location: ${(error as Error).message}`);
      }
      redirects.push({ from: current, to: target, status: response.statusCode });
      if (visited.has(target)) throw new FetchError('redirect-loop', `redirect loop: ${[...visited, target].join(' -> ')}`);
      if (redirects.length > maxRedirects) throw new FetchError('too-many-redirects', `more than ${maxRedirects} redirects from ${url}`);
      visited.add(target);
      current = target;
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      if (size + buffer.length > options.maxBytes) {
        chunks.push(buffer.subarray(0, options.maxBytes - size));
        size = options.maxBytes;
        truncated = true;
        response.body.destroy();
        break;
      }
      chunks.push(buffer);
      size += buffer.length;
    }
    return {
      requestedUrl: url,
      finalUrl: current,
      redirects,
      status: response.statusCode,
      headers,
      contentType: headers['content-type'] ?? null,
      body: Buffer.concat(chunks, size),
      truncated,
      timings: { startedAt, firstByteMs, totalMs: Date.now() - startedAt },
    };
  }
}
