import { parseArgs } from 'node:util';
import { configureKafkaClients } from '@tributary/common/kafka';
import { createLogger } from '@tributary/common';
import { canonicalizeUrl, connectRedis, crawlerSchema, crawlerSettingsFrom, defaultCrawlSpec, Frontier, startCrawlWorker, validateSpec, type CrawlSpec, type CrawlStatus } from '@tributary/crawler';
import { UsageError } from '../command.ts';
import { printRows } from '../output.ts';
import { onShutdownSignal } from '../signals.ts';
import { integerFlag, outputFlag, stringOptions } from './flag-values.ts';
import { loadCommandSection, type SectionOverrides } from './section.ts';

const DEFAULT_REDIS = process.env.TRIBUTARY_CRAWLER_REDIS ?? 'redis://127.0.0.1:6379';

/** Flags of `crawl worker` and the crawler config keys they set. */
const WORKER_FLAGS: Record<string, string> = {
  redis: 'redis',
  'bootstrap-server': 'bootstrap.servers',
  concurrency: 'concurrency',
  'metrics-port': 'metrics.port',
  extractor: 'extractor',
  chromium: 'chromium',
  'lock-duration-ms': 'lock.duration.ms',
};

/** The crawler section values (before conversion): flag > TRIBUTARY_CRAWLER_* > config file > default. */
export function loadCrawlerSection(values: Record<string, unknown>, overrides: SectionOverrides = {}) {
  return loadCommandSection('crawler', crawlerSchema, values, WORKER_FLAGS, overrides);
}

async function worker(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      'no-render': { type: 'boolean', default: false },
      ...stringOptions(Object.keys(WORKER_FLAGS)),
    },
    strict: true,
  });
  const settings = crawlerSettingsFrom(loadCrawlerSection(values, values['no-render'] ? { fixed: { render: false } } : {}));
  configureKafkaClients(values.config as string | undefined);
  const log = createLogger('crawler');
  const running = await startCrawlWorker({ ...settings, log });
  await onShutdownSignal(async (signal) => {
    log.info({ signal }, 'stopping crawl worker');
    await running.close();
  });
  return 0;
}

function seedsOf(values: string[] | undefined): string[] {
  if (!values || values.length === 0) throw new UsageError('give at least one --seed URL (e.g. --seed https://example.com/)');
  return values.map((seed) => {
    try {
      return canonicalizeUrl(seed);
    } catch (error) {
      throw new UsageError(`--seed ${(error as Error).message}; give an absolute http(s) URL`);
    }
  });
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      redis: { type: 'string', default: DEFAULT_REDIS },
      id: { type: 'string' },
      seed: { type: 'string', multiple: true },
      'allow-domain': { type: 'string', multiple: true },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'render-js': { type: 'string', multiple: true },
      render: { type: 'string', default: 'auto' },
      'max-depth': { type: 'string' },
      'max-pages': { type: 'string' },
      'max-bytes': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'delay-ms': { type: 'string' },
      'host-concurrency': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-attempts': { type: 'string' },
      'retry-delay-ms': { type: 'string' },
      'user-agent': { type: 'string' },
      'allow-private-addresses': { type: 'boolean', default: false },
      'ignore-robots': { type: 'boolean', default: false },
      output: { type: 'string', default: 'table' },
    },
    strict: true,
  });
  const output = outputFlag(values.output, ['table', 'json']);
  const render = values.render;
  if (render !== 'never' && render !== 'auto' && render !== 'always') throw new UsageError(`--render must be never, auto or always, got '${render}'`);
  const spec: Partial<CrawlSpec> & { seeds: string[] } = {
    seeds: seedsOf(values.seed),
    allowDomains: values['allow-domain'] ?? [],
    includePatterns: values.include ?? [],
    excludePatterns: values.exclude ?? [],
    renderPatterns: values['render-js'] ?? [],
    render,
    allowPrivateAddresses: values['allow-private-addresses'],
    respectRobots: !values['ignore-robots'],
  };
  const numbers: Array<[string, keyof CrawlSpec, number]> = [
    ['max-depth', 'maxDepth', 0],
    ['max-pages', 'maxPages', 1],
    ['max-bytes', 'maxTotalBytes', 0],
    ['max-body-bytes', 'maxBodyBytes', 1],
    ['delay-ms', 'politenessDelayMs', 0],
    ['host-concurrency', 'maxConcurrencyPerHost', 1],
    ['timeout-ms', 'requestTimeoutMs', 1],
    ['max-attempts', 'maxAttempts', 1],
    ['retry-delay-ms', 'retryDelayMs', 0],
  ];
  for (const [flag, key, min] of numbers) {
    const value = integerFlag(flag, (values as unknown as Record<string, string | undefined>)[flag], min);
    if (value !== undefined) (spec as Record<string, unknown>)[key] = value;
  }
  if (values.id !== undefined) spec.id = values.id;
  if (values['user-agent'] !== undefined) spec.userAgent = values['user-agent'];
  try {
    validateSpec({ ...defaultCrawlSpec(spec.id ?? 'new', spec.seeds), ...spec });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return withFrontier(values.redis, async (frontier) => {
    const created = await frontier.startCrawl(spec);
    if (output === 'json') process.stdout.write(JSON.stringify({ id: created.id, seeds: created.seeds }) + '\n');
    else process.stdout.write(`${created.id}\n`);
    return 0;
  });
}

async function status(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { redis: { type: 'string', default: DEFAULT_REDIS }, crawl: { type: 'string' }, output: { type: 'string', default: 'table' } },
    strict: true,
  });
  const output = outputFlag(values.output, ['table', 'json']);
  return withFrontier(values.redis, async (frontier) => {
    const ids = values.crawl !== undefined ? [await knownCrawl(frontier, values.crawl)] : await frontier.crawls();
    const rows: CrawlStatus[] = [];
    for (const id of ids) rows.push(await frontier.status(id));
    printRows(rows as unknown as Array<Record<string, unknown>>, output, ['id', 'state', 'queued', 'active', 'delayed', 'done', 'failed', 'skipped', 'pagesPerSecond', 'averagePagesPerSecond', 'startedAt']);
    return 0;
  });
}

async function control(action: 'pause' | 'resume' | 'cancel', args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { redis: { type: 'string', default: DEFAULT_REDIS }, crawl: { type: 'string' } }, strict: true });
  if (values.crawl === undefined) throw new UsageError(`--crawl ID is required; 'tributary crawl status' lists the crawls`);
  return withFrontier(values.redis, async (frontier) => {
    const id = await knownCrawl(frontier, values.crawl!);
    if (action === 'resume') {
      const state = await frontier.state(id);
      if (state === 'cancelled' || state === 'finished') throw new UsageError(`crawl '${id}' is ${state} and cannot resume; start a new one with 'tributary crawl start'`);
    }
    await frontier[action](id);
    process.stderr.write(`crawl ${id}: ${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled'}\n`);
    return 0;
  });
}

async function knownCrawl(frontier: Frontier, id: string): Promise<string> {
  if (!(await frontier.spec(id))) throw new UsageError(`no crawl '${id}' in this Redis; 'tributary crawl status' lists the crawls it holds`);
  return id;
}

async function withFrontier(redisUrl: string, work: (frontier: Frontier) => Promise<number>): Promise<number> {
  let redis;
  try {
    redis = await connectRedis(redisUrl);
  } catch (error) {
    if (/is not a URL|must start with/.test((error as Error).message)) throw new UsageError((error as Error).message);
    throw error;
  }
  const frontier = new Frontier(redis, redis);
  try {
    return await work(frontier);
  } finally {
    await frontier.close();
    await redis.quit();
  }
}

/** `tributary crawl worker|start|status|pause|resume|cancel`. */
export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'worker':
      return worker(rest);
    case 'start':
      return start(rest);
    case 'status':
      return status(rest);
    case 'pause':
    case 'resume':
    case 'cancel':
      return control(action, rest);
    default:
      throw new UsageError(`unknown crawl action '${action ?? ''}': use worker, start, status, pause, resume or cancel`);
  }
}
