import type { SpoolRecord } from './spool.ts';

interface Waiting {
  records: SpoolRecord[];
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Shares one durable write among every request that arrives while the previous one is on its way
 * to disk, so the fsync rate stays that of the disk however many requests come in, and a lone
 * request waits for one fsync only. Writes never overlap, which the spool requires.
 */
export class GroupCommit {
  #waiting: Waiting[] = [];
  #running: Promise<void> | null = null;

  constructor(
    private readonly write: (records: SpoolRecord[]) => Promise<void>,
    private readonly onWritten: () => void,
  ) {}

  /** Resolves once the records are durable. */
  submit(records: SpoolRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ records, resolve, reject });
      this.#running ??= this.#run();
    });
  }

  /** Resolves when everything submitted so far has been written (or has failed). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    // Requests parsed in the same turn of the event loop join the first write too.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#waiting.length > 0) {
      const group = this.#waiting;
      this.#waiting = [];
      try {
        await this.write(group.length === 1 ? group[0]!.records : group.flatMap((w) => w.records));
        for (const w of group) w.resolve();
        this.onWritten();
      } catch (error) {
        for (const w of group) w.reject(error as Error);
      }
    }
    this.#running = null;
  }
}
