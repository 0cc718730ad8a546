/** What a crawl is allowed to do; stored once in Redis and read by every worker. */
export interface CrawlSpec {
  id: string;
  seeds: string[];
  /** Hosts (and their subdomains) the crawl may visit; empty means the seeds' hosts. */
  allowDomains: string[];
  /** Regular expressions a URL must match (any) / must not match (all) to be in scope. */
  includePatterns: string[];
  excludePatterns: string[];
  maxDepth: number;
  /** Most URLs the crawl ever enqueues (seeds included). */
  maxPages: number;
  /** Largest response body fetched; a larger body is not kept: the URL goes to crawl.errors. */
  maxBodyBytes: number;
  /** Byte budget of the whole crawl (bodies downloaded); 0 means none. Reaching it stops the crawl. */
  maxTotalBytes: number;
  /** Minimum time between the end of one request to a host and the start of the next, across all workers. */
  politenessDelayMs: number;
  /** Requests to one host in flight at once, across all workers. */
  maxConcurrencyPerHost: number;
  requestTimeoutMs: number;
  /** Attempts per URL for errors another try may fix (timeouts, network errors, 5xx, 429). */
  maxAttempts: number;
  /** First retry delay; each further retry doubles it. */
  retryDelayMs: number;
  allowPrivateAddresses: boolean;
  respectRobots: boolean;
  /** 'auto' renders with Chromium the pages matching renderPatterns and those that look script-rendered. */
  render: 'never' | 'auto' | 'always';
  /** Regular expressions of URLs that always need JavaScript (rendered unless render is 'never'). */
  renderPatterns: string[];
  userAgent: string;
  createdAt: number;
}

export const DEFAULT_USER_AGENT = 'TributaryBot/0.1 (+https://github.com/tributary)';

export function defaultCrawlSpec(id: string, seeds: string[]): CrawlSpec {
  return {
    id,
    seeds,
    allowDomains: [],
    includePatterns: [],
    excludePatterns: [],
    maxDepth: 10,
    maxPages: 10_000,
    maxBodyBytes: 5 * 1024 * 1024,
    maxTotalBytes: 0,
    politenessDelayMs: 1000,
    maxConcurrencyPerHost: 1,
    requestTimeoutMs: 30_000,
    maxAttempts: 4,
    retryDelayMs: 1000,
    allowPrivateAddresses: false,
    respectRobots: true,
    render: 'auto',
    renderPatterns: [],
    userAgent: DEFAULT_USER_AGENT,
    createdAt: Date.now(),
  };
}

/** Checks what a user may get wrong, with a message that names the fix. */
export function validateSpec(spec: CrawlSpec): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(spec.id)) throw new Error(`crawl id '${spec.id}' must be 1-64 letters, digits, '-' or '_'`);
  if (spec.seeds.length === 0) throw new Error('a crawl needs at least one seed URL (--seed URL)');
  for (const pattern of [...spec.includePatterns, ...spec.excludePatterns, ...spec.renderPatterns]) {
    try {
      new RegExp(pattern);
    } catch (error) {
      throw new Error(`URL pattern '${pattern}' is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  const positive: Array<keyof CrawlSpec> = ['maxPages', 'maxBodyBytes', 'maxConcurrencyPerHost', 'requestTimeoutMs', 'maxAttempts'];
  for (const key of positive) {
    const value = spec[key] as number;
    if (!Number.isInteger(value) || value < 1) throw new Error(`${key} must be a whole number of at least 1, got ${value}`);
  }
  for (const key of ['maxDepth', 'maxTotalBytes', 'politenessDelayMs', 'retryDelayMs'] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] < 0) throw new Error(`${key} must be a whole number of at least 0, got ${spec[key]}`);
  }
}

function hostMatches(host: string, domain: string): boolean {
  const wanted = domain.toLowerCase().replace(/^\*?\./, '');
  return host === wanted || host.endsWith(`.${wanted}`);
}

const compiled = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let found = compiled.get(pattern);
  if (!found) {
    found = new RegExp(pattern);
    compiled.set(pattern, found);
  }
  return found;
}

/** Whether a canonical URL at a depth is within the crawl's scope. Returns the reason when not. */
export function outOfScopeReason(spec: CrawlSpec, url: string, depth: number): string | null {
  if (depth > spec.maxDepth) return `depth ${depth} exceeds max depth ${spec.maxDepth}`;
  const host = new URL(url).hostname;
  const domains = spec.allowDomains.length > 0 ? spec.allowDomains : spec.seeds.map((seed) => new URL(seed).hostname);
  if (!domains.some((domain) => hostMatches(host, domain))) return `host ${host} is not an allowed domain`;
  if (spec.includePatterns.length > 0 && !spec.includePatterns.some((pattern) => regex(pattern).test(url))) return 'matches no include pattern';
  const excluded = spec.excludePatterns.find((pattern) => regex(pattern).test(url));
  if (excluded) return `matches exclude pattern ${excluded}`;
  return null;
}

/** Whether a page must go through Chromium before the worker even looks at its HTML. */
export function mustRender(spec: CrawlSpec, url: string): boolean {
  if (spec.render === 'never') return false;
  return spec.render === 'always' || spec.renderPatterns.some((pattern) => regex(pattern).test(url));
}
