import { looksLikePrometheus, parsePrometheusCounters, type ParsedCounter } from './prometheus-text.ts';
import { redactJson, redactText, stripUrlCredentials } from './redact.ts';

/** One configured status endpoint; the credentials never leave this module. */
export interface CollectorTarget {
  name: string;
  /** The URL as shown: without user:password@. */
  displayUrl: string;
  /** The URL fetched: also without credentials, which travel as a Basic Authorization header. */
  fetchUrl: string;
  authorization: string | null;
}

export interface CollectorStatus {
  name: string;
  url: string;
  ok: boolean;
  status: number | null;
  elapsedMs: number;
  kind: 'json' | 'prometheus' | 'text' | 'error';
  /** JSON as the collector returned it, minus secrets. */
  json?: unknown;
  counters?: ParsedCounter[];
  text?: string;
  error?: string;
}

const MAX_BODY_BYTES = 1 << 20;
const MAX_TEXT_CHARS = 2000;

/** Parses console.collectors entries (NAME=URL); bad entries throw, naming the entry without its credentials. */
export function parseCollectorTargets(entries: string[]): CollectorTarget[] {
  return entries.map((entry) => {
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at).trim() : '';
    const raw = at > 0 ? entry.slice(at + 1).trim() : '';
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`console.collectors entry '${stripUrlCredentials(entry)}' is not NAME=URL`);
    }
    if (!name || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new Error(`console.collectors entry '${stripUrlCredentials(entry)}' is not NAME=http(s)://...`);
    }
    let authorization: string | null = null;
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    return { name, displayUrl: url.toString(), fetchUrl: url.toString(), authorization };
  });
}

async function readBounded(response: Response): Promise<string> {
  const body = response.body;
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < MAX_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

/** Fetches one status endpoint with a short timeout and describes what it answered, secrets removed. */
export async function fetchCollectorStatus(target: CollectorTarget, timeoutMs: number): Promise<CollectorStatus> {
  const started = performance.now();
  const base = { name: target.name, url: target.displayUrl };
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.5' };
    if (target.authorization) headers.authorization = target.authorization;
    const response = await fetch(target.fetchUrl, { headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const contentType = response.headers.get('content-type') ?? '';
    const text = await readBounded(response);
    const result = { ...base, ok: response.ok, status: response.status, elapsedMs: elapsed() };
    if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) {
      try {
        return { ...result, kind: 'json', json: redactJson(JSON.parse(text)) };
      } catch {
        // Not JSON after all: shown as text below.
      }
    }
    if (looksLikePrometheus(contentType, text)) return { ...result, kind: 'prometheus', counters: parsePrometheusCounters(text) };
    return { ...result, kind: 'text', text: redactText(text.slice(0, MAX_TEXT_CHARS)) };
  } catch (error) {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    const reason = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : [err.message, err.cause?.code ?? err.cause?.message].filter(Boolean).join(': ');
    return { ...base, ok: false, status: null, elapsedMs: elapsed(), kind: 'error', error: stripUrlCredentials(reason) };
  }
}

export function fetchAllCollectors(targets: CollectorTarget[], timeoutMs: number): Promise<CollectorStatus[]> {
  return Promise.all(targets.map((target) => fetchCollectorStatus(target, timeoutMs)));
}
