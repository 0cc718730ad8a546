import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@tributary/common';
import type { LogConfig } from './log-config.ts';
import { parseLogDirName, PartitionLog } from './partition-log.ts';

const CLEAN_SHUTDOWN = '.kafka_cleanshutdown';

/**
 * All partition logs in one data dir (Kafka's LogManager): loads them at start (recovering only
 * after an unclean shutdown), creates and deletes them, and runs retention and time-based flushes.
 */
export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private timers: NodeJS.Timeout[] = [];

  private constructor(
    readonly dataDir: string,
    private readonly defaults: LogConfig,
    private readonly options: { retentionCheckIntervalMs?: number; log?: Logger },
  ) {}

  static open(dataDir: string, defaults: LogConfig, options: { retentionCheckIntervalMs?: number; log?: Logger } = {}): LogManager {
    mkdirSync(dataDir, { recursive: true });
    const manager = new LogManager(dataDir, defaults, options);
    const marker = join(dataDir, CLEAN_SHUTDOWN);
    const clean = existsSync(marker);
    rmSync(marker, { force: true });
    for (const name of readdirSync(dataDir)) {
      const path = join(dataDir, name);
      if (name.endsWith('-delete')) {
        rmSync(path, { recursive: true, force: true });
        continue;
      }
      const parsed = parseLogDirName(name);
      if (!parsed || !statSync(path).isDirectory()) continue;
      const started = Date.now();
      const log = PartitionLog.open(path, defaults, { recover: !clean });
      manager.logs.set(name, log);
      if (!clean) options.log?.info({ topic: parsed.topic, partition: parsed.partition, ms: Date.now() - started, logEndOffset: log.logEndOffset }, 'recovered partition log');
    }
    return manager;
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(`${topic}-${partition}`);
  }

  createLog(topic: string, partition: number, config: LogConfig = this.defaults): PartitionLog {
    const name = `${topic}-${partition}`;
    const existing = this.logs.get(name);
    if (existing) return existing;
    const log = PartitionLog.open(join(this.dataDir, name), config);
    this.logs.set(name, log);
    return log;
  }

  /** Renames first so a crash mid-delete leaves a dir the next start finishes deleting. */
  deleteLog(topic: string, partition: number): void {
    const name = `${topic}-${partition}`;
    const log = this.logs.get(name);
    if (!log) return;
    this.logs.delete(name);
    log.delete();
    const doomed = join(this.dataDir, `${name}.${Date.now()}-delete`);
    if (existsSync(join(this.dataDir, name))) {
      renameSync(join(this.dataDir, name), doomed);
      rmSync(doomed, { recursive: true, force: true });
    }
  }

  all(): PartitionLog[] {
    return [...this.logs.values()];
  }

  startBackgroundTasks(): void {
    const interval = this.options.retentionCheckIntervalMs ?? 300_000;
    this.timers.push(setInterval(() => this.enforceRetention(), interval));
    this.timers.push(setInterval(() => {
      for (const log of this.logs.values()) log.maybeFlushByTime();
    }, 1000));
    for (const timer of this.timers) timer.unref();
  }

  enforceRetention(): number {
    let deleted = 0;
    for (const log of this.logs.values()) {
      try {
        deleted += log.enforceRetention();
      } catch (error) {
        this.options.log?.error({ err: error, topic: log.topic, partition: log.partition }, 'retention failed');
      }
    }
    return deleted;
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const log of this.logs.values()) log.close();
    writeFileSync(join(this.dataDir, CLEAN_SHUTDOWN), '');
  }
}
