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
  maxPages: number;
  /** Largest response body fetched; larger bodies are cut and reported in crawl.errors. */
  maxBytes: number;
  /** Minimum time between two requests to one host, across all workers. */
  politenessDelayMs: number;
  requestTimeoutMs: number;
  allowPrivateAddresses: boolean;
  respectRobots: boolean;
  /** 'auto' renders with Chromium only pages that look script-rendered. */
  render: 'never' | 'auto' | 'always';
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
    maxBytes: 5 * 1024 * 1024,
    politenessDelayMs: 1000,
    requestTimeoutMs: 30_000,
    allowPrivateAddresses: false,
    respectRobots: true,
    render: 'auto',
    userAgent: DEFAULT_USER_AGENT,
    createdAt: Date.now(),
  };
}

function hostMatches(host: string, domain: string): boolean {
  const wanted = domain.toLowerCase().replace(/^\*?\./, '');
  return host === wanted || host.endsWith(`.${wanted}`);
}

/** Whether a canonical URL at a depth is within the crawl's scope. Returns the reason when not. */
export function outOfScopeReason(spec: CrawlSpec, url: string, depth: number): string | null {
  if (depth > spec.maxDepth) return `depth ${depth} exceeds max depth ${spec.maxDepth}`;
  const host = new URL(url).hostname;
  const domains = spec.allowDomains.length > 0 ? spec.allowDomains : spec.seeds.map((seed) => new URL(seed).hostname);
  if (!domains.some((domain) => hostMatches(host, domain))) return `host ${host} is not an allowed domain`;
  if (spec.includePatterns.length > 0 && !spec.includePatterns.some((pattern) => new RegExp(pattern).test(url))) return 'matches no include pattern';
  const excluded = spec.excludePatterns.find((pattern) => new RegExp(pattern).test(url));
  if (excluded) return `matches exclude pattern ${excluded}`;
  return null;
}
