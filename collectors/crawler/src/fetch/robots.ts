import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { keys } from '../frontier/keys.ts';
import { FetchError, type FetchedPage } from './http-fetcher.ts';

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
/** A host that failed to answer is asked again sooner than one that answered. */
const FAILURE_TTL_SECONDS = 300;
const LOCAL_TTL_MS = 60_000;
export const MAX_ROBOTS_BYTES = 512 * 1024;
const DISALLOW_ALL = 'User-agent: *\nDisallow: /\n';

/** Downloads a robots.txt; the worker passes one that waits its turn at the host like any page. */
export type RobotsDownload = (robotsUrl: string) => Promise<FetchedPage>;

/**
 * robots.txt per origin, fetched once and shared through Redis so a fleet asks each host once an
 * hour. As Google documents: 4xx means no rules, 5xx or no answer means stay away for now.
 */
export class RobotsCache {
  private readonly local = new Map<string, { rules: RobotsRules; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<RobotsRules>>();

  constructor(private readonly redis: Redis) {}

  async rulesFor(origin: string, download: RobotsDownload): Promise<RobotsRules> {
    const cached = this.local.get(origin);
    if (cached && cached.expiresAt > Date.now()) return cached.rules;
    let loading = this.inFlight.get(origin);
    if (!loading) {
      loading = this.load(origin, download).finally(() => this.inFlight.delete(origin));
      this.inFlight.set(origin, loading);
    }
    return loading;
  }

  private async load(origin: string, download: RobotsDownload): Promise<RobotsRules> {
    const robotsUrl = `${origin}/robots.txt`;
    let text = await this.redis.get(keys.robots(origin));
    if (text === null) {
      const answer = await this.download(robotsUrl, download);
      text = answer.text;
      await this.redis.set(keys.robots(origin), text, 'EX', answer.ttlSeconds);
    }
    const rules = parseRules(robotsUrl, text);
    this.local.set(origin, { rules, expiresAt: Date.now() + LOCAL_TTL_MS });
    return rules;
  }

  private async download(robotsUrl: string, download: RobotsDownload): Promise<{ text: string; ttlSeconds: number }> {
    try {
      const page = await download(robotsUrl);
      if (page.status >= 200 && page.status < 300) return { text: page.body.toString('utf8'), ttlSeconds: CACHE_TTL_SECONDS };
      if (page.status >= 400 && page.status < 500) return { text: '', ttlSeconds: CACHE_TTL_SECONDS };
      return { text: DISALLOW_ALL, ttlSeconds: FAILURE_TTL_SECONDS };
    } catch (error) {
      // A blocked address is the SSRF guard's verdict on the host, not the host's robots rules.
      if (error instanceof FetchError && error.reason === 'blocked-address') throw error;
      if (error instanceof FetchError && error.reason === 'too-large') return { text: '', ttlSeconds: CACHE_TTL_SECONDS };
      return { text: DISALLOW_ALL, ttlSeconds: FAILURE_TTL_SECONDS };
    }
  }
}

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
