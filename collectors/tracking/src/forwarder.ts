import type { Logger } from '@tributary/common';
import { GroupCommit } from './group-commit.ts';
import type { RecordSink } from './kafka-output.ts';
import type { Spool, SpoolRecord } from './spool.ts';

export type ForwarderMode = 'direct' | 'spooling';

/** When a request is answered: once the broker has its events, or once they are in the local spool. */
export type AckMode = 'broker' | 'spool';

interface Pending {
  records: SpoolRecord[];
  resolve(): void;
  reject(error: Error): void;
}

export interface ForwarderOptions {
  /** A fresh producer; a failed one is replaced, since its idempotence state may be stale. */
  connect(): RecordSink;
  spool: Spool;
  ack: AckMode;
  lingerMs: number;
  replayIntervalMs: number;
  /** Records per produce request when replaying the spool. */
  replayBatch?: number;
  log: Logger;
  onModeChange?(mode: ForwarderMode): void;
}

/**
 * Gets accepted records to the broker, or to disk when the broker cannot take them. With ack
 * `broker`, `submit` resolves only when the records are acknowledged by the broker (acks=all) or
 * on disk in the spool; with ack `spool`, every record goes through the spool and `submit`
 * resolves once it is on disk there, while the spool is forwarded in the background. Either way
 * that is when the collector answers the client. Broker steps run on one chain, one at a time:
 * records reach the broker in the order they were submitted, and while anything is spooled new
 * records queue behind it, so one user's events stay in order across an outage.
 */
export class Forwarder {
  #mode: ForwarderMode;
  #sink: RecordSink | null = null;
  #pending: Pending[] = [];
  #lingerTimer: NodeJS.Timeout | null = null;
  #replayTimer: NodeJS.Timeout | null = null;
  #replaying = false;
  #replayWanted = false;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #spoolFirst: GroupCommit | null;

  constructor(private readonly options: ForwarderOptions) {
    this.#mode = options.spool.backlog.events > 0 ? 'spooling' : 'direct';
    this.#spoolFirst = options.ack === 'spool' ? new GroupCommit((records) => options.spool.append(records), () => this.#forwardSoon()) : null;
    if (options.spool.backlog.events > 0) this.#scheduleReplay(0);
  }

  get mode(): ForwarderMode {
    return this.#mode;
  }

  submit(records: SpoolRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('collector is shutting down'));
    if (this.#spoolFirst) return this.#spoolFirst.submit(records);
    return new Promise((resolve, reject) => {
      this.#pending.push({ records, resolve, reject });
      if (this.#lingerTimer === null) this.#lingerTimer = setTimeout(() => this.#flush(), this.options.lingerMs);
    });
  }

  /**
   * Sends or spools what is pending and waits for the chain; with ack `spool`, also forwards the
   * spool while the broker takes it, so a stop leaves nothing behind that could have been sent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#replayTimer) clearTimeout(this.#replayTimer);
    this.#flush();
    await this.#spoolFirst?.settled();
    await this.#chain;
    if (this.#spoolFirst) while (this.#mode === 'direct' && (await this.#replayOnce()) === 'sent');
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
    this.#replayWanted = false;
    try {
      const outcome = await this.#replayOnce();
      if (outcome === 'failed') this.#scheduleReplay(this.options.replayIntervalMs);
      // An append that landed while this replay found the spool empty still needs forwarding.
      else if (outcome === 'sent' || this.#replayWanted) this.#scheduleReplay(0);
    } finally {
      this.#replaying = this.#replayTimer !== null;
    }
  }

  /** Sends the oldest spooled records and moves the spool past them. */
  async #replayOnce(): Promise<'sent' | 'empty' | 'failed'> {
    const { spool } = this.options;
    const batch = await spool.read(this.options.replayBatch ?? 500);
    if (batch.records.length === 0) {
      this.#setMode('direct');
      return 'empty';
    }
    try {
      await this.#connected().send(batch.records);
    } catch (error) {
      const change = this.#mode === 'direct';
      this.options.log[change ? 'warn' : 'debug']({ err: error, backlog: spool.backlog.events }, change ? 'broker unreachable; keeping accepted events in the spool' : 'broker still unreachable');
      await this.#dropSink();
      this.#setMode('spooling');
      return 'failed';
    }
    await spool.ack(batch);
    // With ack broker only this chain appends, so an empty spool stays empty until direct sends fail.
    if (this.#spoolFirst || spool.backlog.events === 0) this.#setMode('direct');
    return 'sent';
  }

  /** With ack `spool`: what was just spooled goes on to the broker unless a replay is under way or waiting. */
  #forwardSoon(): void {
    this.#replayWanted = true;
    if (!this.#replaying && this.#mode === 'direct') this.#scheduleReplay(0);
  }

  /** At most one replay is waiting or running at a time (#replaying). */
  #scheduleReplay(delayMs: number): void {
    if (this.#closed) return;
    if (this.#replayTimer) clearTimeout(this.#replayTimer);
    this.#replaying = true;
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
    if (mode === 'direct') this.options.log.info(this.#spoolFirst ? 'broker reachable again; forwarding the spool' : 'spool drained; producing directly again');
    this.#mode = mode;
    this.options.onModeChange?.(mode);
  }
}
