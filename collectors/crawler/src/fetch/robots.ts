import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import { keys } from '../frontier/keys.ts';
import { fetchPage, FetchError } from './http-fetcher.ts';

interface ParsedRobots {
  isAllowed(url: string, userAgent?: string): boolean | undefined;
  getCrawlDelay(userAgent?: string): number | undefined;
  getSitemaps(): string[];
}

// robots-parser is CommonJS whose typings declare an ESM default export; require it as CommonJS.
const robotsParser = createRequire(import.meta.url)('robots-parser') as (url: string, text: string) => ParsedRobots;

export interface RobotsRules {
  isAllowed(url: string, userAgent: string): boolean;
  crawlDelayMs(userAgent: string): number | null;
  sitemaps(): string[];
}

const CACHE_TTL_SECONDS = 3600;
const MAX_ROBOTS_BYTES = 512 * 1024;

/**
 * robots.txt per host, fetched once and shared through Redis so a fleet asks each host once an
 * hour. As Google documents: 4xx means no rules, 5xx or no answer means stay away for now.
 */
export class RobotsCache {
  private readonly local = new Map<string, { rules: RobotsRules; expiresAt: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly dispatcher: Dispatcher,
    private readonly userAgent: string,
    private readonly timeoutMs: number,
  ) {}

  async rulesFor(origin: string): Promise<RobotsRules> {
    const cached = this.local.get(origin);
    if (cached && cached.expiresAt > Date.now()) return cached.rules;
    const robotsUrl = `${origin}/robots.txt`;
    let text = await this.redis.get(keys.robots(origin));
    if (text === null) {
      text = await this.download(robotsUrl);
      await this.redis.set(keys.robots(origin), text, 'EX', CACHE_TTL_SECONDS);
    }
    const rules = parseRules(robotsUrl, text);
    this.local.set(origin, { rules, expiresAt: Date.now() + 60_000 });
    return rules;
  }

  private async download(robotsUrl: string): Promise<string> {
    try {
      const page = await fetchPage(robotsUrl, this.dispatcher, { userAgent: this.userAgent, timeoutMs: this.timeoutMs, maxBytes: MAX_ROBOTS_BYTES });
      if (page.status >= 200 && page.status < 300) return page.body.toString('utf8');
      if (page.status >= 400 && page.status < 500) return '';
      return DISALLOW_ALL;
    } catch (error) {
      if (error instanceof FetchError && error.reason === 'blocked-address') throw error;
      return DISALLOW_ALL;
    }
  }
}

const DISALLOW_ALL = 'User-agent: *\nDisallow: /\n';

export function parseRules(robotsUrl: string, text: string): RobotsRules {
  const robots = robotsParser(robotsUrl, text);
  return {
    isAllowed: (url, userAgent) => robots.isAllowed(url, userAgent) !== false,
    crawlDelayMs: (userAgent) => {
      const delay = robots.getCrawlDelay(userAgent);
      return delay === undefined ? null : delay * 1000;
    },
    sitemaps: () => robots.getSitemaps(),
  };
}
