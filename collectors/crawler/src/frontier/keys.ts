/** Every Redis key the crawler uses, in one place, under one prefix. */
export const PREFIX = 'tributary:crawl';

export const keys = {
  crawls: `${PREFIX}:crawls`,
  spec: (crawlId: string) => `${PREFIX}:${crawlId}:spec`,
  state: (crawlId: string) => `${PREFIX}:${crawlId}:state`,
  /** Every canonical URL ever reserved for the crawl: the shared de-duplication set. */
  seen: (crawlId: string) => `${PREFIX}:${crawlId}:seen`,
  /** URLs whose job reached its end (landed, failed for good, or nothing to land). */
  done: (crawlId: string) => `${PREFIX}:${crawlId}:done`,
  /** Final URL -> the job URL that may land it, so a redirect target lands once. */
  owner: (crawlId: string) => `${PREFIX}:${crawlId}:owner`,
  /** Job URL -> {key, since}: a page record may be at the broker though the job is not done. */
  pending: (crawlId: string) => `${PREFIX}:${crawlId}:pending`,
  counters: (crawlId: string) => `${PREFIX}:${crawlId}:counters`,
  /** Pages landed per second, for a recent pages/s. */
  rate: (crawlId: string, second: number) => `${PREFIX}:${crawlId}:rate:${second}`,
  workers: (crawlId: string) => `${PREFIX}:${crawlId}:workers`,
  hostActive: (host: string) => `${PREFIX}:host:${host}:active`,
  hostNext: (host: string) => `${PREFIX}:host:${host}:next`,
  robots: (origin: string) => `${PREFIX}:robots:${origin}`,
};

export function queueName(crawlId: string): string {
  return `tributary-crawl-${crawlId}`;
}
