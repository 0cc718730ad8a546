/** Every Redis key the crawler uses, in one place, under one prefix. */
export const PREFIX = 'tributary:crawl';

export const keys = {
  crawls: `${PREFIX}:crawls`,
  spec: (crawlId: string) => `${PREFIX}:${crawlId}:spec`,
  state: (crawlId: string) => `${PREFIX}:${crawlId}:state`,
  seen: (crawlId: string) => `${PREFIX}:${crawlId}:seen`,
  landed: (crawlId: string) => `${PREFIX}:${crawlId}:landed`,
  counters: (crawlId: string) => `${PREFIX}:${crawlId}:counters`,
  workers: (crawlId: string) => `${PREFIX}:${crawlId}:workers`,
  hostLock: (host: string) => `${PREFIX}:host:${host}:lock`,
  hostNext: (host: string) => `${PREFIX}:host:${host}:next`,
  hostActive: (host: string) => `${PREFIX}:host:${host}:active`,
  robots: (host: string) => `${PREFIX}:robots:${host}`,
};

export function queueName(crawlId: string): string {
  return `tributary-crawl-${crawlId}`;
}
