/**
 * One spelling per page, so that de-duplication across workers sees the same URL the same way:
 * lower-case scheme and host, no default port, no fragment, sorted query without tracking
 * parameters, dot segments resolved.
 */
export class InvalidUrlError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`invalid URL '${input.slice(0, 200)}': ${reason}`);
    this.name = 'InvalidUrlError';
  }
}

/** Parameters that only say where a click came from; Crawlee and most crawlers drop them too. */
const TRACKING_PARAMETERS = new Set([
  'gclid', 'dclid', 'fbclid', 'msclkid', 'yclid', 'mc_cid', 'mc_eid', '_ga', '_gl', 'igshid', 'ref_src', 'spm',
]);

export function isTrackingParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMETERS.has(lower);
}

const MAX_URL_LENGTH = 8192;

export function canonicalizeUrl(input: string, base?: string): string {
  const trimmed = input.trim();
  if (trimmed.length === 0) throw new InvalidUrlError(input, 'empty');
  if (trimmed.length > MAX_URL_LENGTH) throw new InvalidUrlError(input, `longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = base === undefined ? new URL(trimmed) : new URL(trimmed, base);
  } catch {
    throw new InvalidUrlError(input, 'not a parseable absolute or relative URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidUrlError(input, `scheme ${url.protocol} is not crawlable`);
  if (url.hostname === '') throw new InvalidUrlError(input, 'no host');
  url.hash = '';
  url.username = '';
  url.password = '';
  // WHATWG URL already lower-cases scheme and host and drops default ports; the query is ours.
  const kept = [...url.searchParams].filter(([name]) => !isTrackingParameter(name));
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  url.search = kept.length === 0 ? '' : new URLSearchParams(kept).toString();
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.slice(0, -1);
  return url.toString();
}

/** The host key politeness is enforced on: host plus non-default port. */
export function hostKey(canonicalUrl: string): string {
  return new URL(canonicalUrl).host;
}
