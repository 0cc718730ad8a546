import type { Logger } from '@tributary/common';
import type { RecordSink } from './kafka-output.ts';
import type { Spool, SpoolRecord } from './spool.ts';

export type ForwarderMode = 'direct' | 'spooling';

interface Pending {
  records: SpoolRecord[];
  resolve(): void;
  reject(error: Error): void;
}

export interface ForwarderOptions {
  /** A fresh producer; a failed one is replaced, since its idempotence state may be stale. */
  connect(): RecordSink;
  spool: Spool;
  lingerMs: number;
  replayIntervalMs: number;
  /** Records per produce request when replaying the spool. */
  replayBatch?: number;
  log: Logger;
  onModeChange?(mode: ForwarderMode): void;
}

/**
 * Gets accepted records to the broker, or to disk when the broker cannot take them. `submit`
 * resolves only when the records are acknowledged by the broker (acks=all) or fsync'd to the spool,
 * which is when the collector answers the client. Every step runs on one chain, one at a time:
 * records reach the broker in the order they were submitted, and while anything is spooled new
 * records queue behind it, so one user's events stay in order across an outage.
 */
export class Forwarder {
  #mode: ForwarderMode;
  #sink: RecordSink | null = null;
  #pending: Pending[] = [];
  #lingerTimer: NodeJS.Timeout | null = null;
  #replayTimer: NodeJS.Timeout | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(private readonly options: ForwarderOptions) {
    this.#mode = options.spool.backlog.events > 0 ? 'spooling' : 'direct';
    if (this.#mode === 'spooling') this.#scheduleReplay(0);
  }

  get mode(): ForwarderMode {
    return this.#mode;
  }

  submit(records: SpoolRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('collector is shutting down'));
    return new Promise((resolve, reject) => {
      this.#pending.push({ records, resolve, reject });
      if (this.#lingerTimer === null) this.#lingerTimer = setTimeout(() => this.#flush(), this.options.lingerMs);
    });
  }

  /** Sends or spools what is pending, waits for the chain, and closes the producer. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#replayTimer) clearTimeout(this.#replayTimer);
    this.#flush();
    await this.#chain;
    await this.#sink?.close().catch(() => undefined);
    this.#sink = null;
  }

  #flush(): void {
    if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
    this.#lingerTimer = null;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#enqueue(async () => {
      const records = batch.flatMap((p) => p.records);
      try {
        await this.#deliver(records);
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error as Error);
      }
    });
  }

  async #deliver(records: SpoolRecord[]): Promise<void> {
    if (this.#mode === 'direct') {
      try {
        await this.#connected().send(records);
        return;
      } catch (error) {
        this.options.log.warn({ err: error, records: records.length }, 'broker unreachable; spooling accepted events to disk');
        await this.#dropSink();
        this.#setMode('spooling');
        this.#scheduleReplay(this.options.replayIntervalMs);
      }
    }
    await this.options.spool.append(records);
  }

  async #replay(): Promise<void> {
    const { spool } = this.options;
    const batch = await spool.read(this.options.replayBatch ?? 500);
    if (batch.records.length === 0) {
      this.#drained();
      return;
    }
    try {
      await this.#connected().send(batch.records);
    } catch (error) {
      this.options.log.debug({ err: error, backlog: spool.backlog.events }, 'broker still unreachable');
      await this.#dropSink();
      this.#scheduleReplay(this.options.replayIntervalMs);
      return;
    }
    await spool.ack(batch);
    // Appends run on this same chain, so an empty backlog here stays empty until direct mode is on.
    if (spool.backlog.events === 0) this.#drained();
    else this.#scheduleReplay(0);
  }

  #drained(): void {
    this.options.log.info('spool drained; producing directly again');
    this.#setMode('direct');
  }

  #scheduleReplay(delayMs: number): void {
    if (this.#closed) return;
    this.#replayTimer = setTimeout(() => {
      this.#replayTimer = null;
      this.#enqueue(() => this.#replay());
    }, delayMs);
  }

  #enqueue(step: () => Promise<void>): void {
    this.#chain = this.#chain.then(step).catch((error: unknown) => {
      this.options.log.error({ err: error }, 'forwarder step failed');
      if (this.#mode === 'spooling' && this.#replayTimer === null) this.#scheduleReplay(this.options.replayIntervalMs);
    });
  }

  #connected(): RecordSink {
    this.#sink ??= this.options.connect();
    return this.#sink;
  }

  async #dropSink(): Promise<void> {
    const sink = this.#sink;
    this.#sink = null;
    await sink?.close().catch(() => undefined);
  }

  #setMode(mode: ForwarderMode): void {
    if (this.#mode === mode) return;
    this.#mode = mode;
    this.options.onModeChange?.(mode);
  }
}
