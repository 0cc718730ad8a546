import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess, readTopics, startBroker, startRedis, waitFor, type BrokerInstance, type RedisInstance } from '@tributary/testkit';
import { Redis } from 'ioredis';
import { Frontier, type CrawlSpec, type CrawlStatus } from '../../src/index.ts';

const CLI = fileURLToPath(new URL('./tributary-crawl.ts', import.meta.url));
const logDir = mkdtempSync(join(tmpdir(), 'crawler-test-'));

export type Reader = Awaited<ReturnType<typeof readTopics>>;

/** A broker, a Redis, a topic reader and worker processes; stop() ends them all. */
export class CrawlEnv {
  readonly workers: ManagedProcess[] = [];
  private constructor(
    readonly broker: BrokerInstance,
    readonly redisServer: RedisInstance,
    readonly redis: Redis,
    readonly frontier: Frontier,
    readonly reader: Reader,
  ) {}

  static async start(): Promise<CrawlEnv> {
    const [broker, redisServer] = await Promise.all([startBroker(), startRedis()]);
    try {
      const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
      const frontier = new Frontier(redis, redis);
      const reader = await readTopics(broker.bootstrap, ['crawl.pages', 'crawl.errors', 'crawl.items'], 2);
      return new CrawlEnv(broker, redisServer, redis, frontier, reader);
    } catch (error) {
      await Promise.allSettled([broker.stop(), redisServer.stop()]);
      throw error;
    }
  }

  /** `tributary crawl <args>` as a child process; resolves with its exit code and output. */
  async cli(args: string[]): Promise<{ code: number | null; log: string }> {
    const logPath = join(logDir, `cli-${Date.now()}-${Math.random().toString(16).slice(2)}.log`);
    const child = new ManagedProcess(process.execPath, ['--import', 'tsx', CLI, ...args], logPath, { env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'warn' } });
    const keepAlive = setTimeout(() => undefined, 60_000);
    const code = await child.exited;
    clearTimeout(keepAlive);
    const { readFileSync } = await import('node:fs');
    return { code, log: readFileSync(logPath, 'utf8') };
  }

  /** A `tributary crawl worker` process. */
  spawnWorker(extra: string[] = []): ManagedProcess {
    const logPath = join(logDir, `worker-${this.workers.length}-${Date.now()}.log`);
    const args = ['--import', 'tsx', CLI, 'worker', '--redis', this.redisServer.url, '--bootstrap-server', this.broker.bootstrap, ...extra];
    const worker = new ManagedProcess(process.execPath, args, logPath, { env: { ...process.env, TRIBUTARY_LOG_LEVEL: process.env.TRIBUTARY_LOG_LEVEL ?? 'info' } });
    this.workers.push(worker);
    return worker;
  }

  startCrawl(spec: Partial<CrawlSpec> & { seeds: string[] }): Promise<CrawlSpec> {
    return this.frontier.startCrawl(spec);
  }

  async untilFinished(crawlId: string, timeoutMs = 90_000): Promise<CrawlStatus> {
    return waitFor(
      async () => {
        for (const worker of this.workers) {
          if (!worker.alive && worker.child.signalCode !== 'SIGKILL') throw new Error(`a crawl worker exited early; log ${worker.logPath}`);
        }
        const status = await this.frontier.status(crawlId);
        return status.state === 'finished' ? status : null;
      },
      { what: `crawl ${crawlId} to finish`, timeoutMs, intervalMs: 200 },
    );
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.workers.map((worker) => worker.stop(15_000)));
    await Promise.allSettled([this.reader.stop(), this.frontier.close()]);
    this.redis.disconnect();
    await Promise.allSettled([this.broker.stop(), this.redisServer.stop()]);
  }
}
