import type { SpoolPosition, SpoolRecord } from './spool.ts';

/** One append as it went to disk: its records and where they lie in the spool. */
export interface AppendedChunk {
  start: SpoolPosition;
  end: SpoolPosition;
  records: SpoolRecord[];
  bytes: number;
}

export const comparePositions = (a: SpoolPosition, b: SpoolPosition) => a.segment - b.segment || a.offset - b.offset;

/**
 * The newest appends, kept in memory so forwarding what was just spooled needs neither a read
 * nor a JSON parse. Bounded: when it is full the oldest chunks are dropped and read from disk.
 */
export class RecentAppends {
  #chunks: AppendedChunk[] = [];
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get first(): AppendedChunk | undefined {
    return this.#chunks[0];
  }

  add(chunk: AppendedChunk): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.bytes;
    while (this.#bytes > this.maxBytes && this.#chunks.length > 0) this.#bytes -= this.#chunks.shift()!.bytes;
  }

  /** Whole chunks from the oldest on, until at least `max` records (or all there are). */
  take(max: number): { records: SpoolRecord[]; next: SpoolPosition; bytes: number } | null {
    const taken = [];
    let count = 0;
    for (const chunk of this.#chunks) {
      if (count >= max) break;
      taken.push(chunk);
      count += chunk.records.length;
    }
    if (taken.length === 0) return null;
    return { records: taken.length === 1 ? taken[0]!.records : taken.flatMap((c) => c.records), next: taken.at(-1)!.end, bytes: taken.reduce((sum, c) => sum + c.bytes, 0) };
  }

  /** Forgets chunks that lie before `position` (acknowledged). */
  dropBefore(position: SpoolPosition): void {
    while (this.#chunks.length > 0 && comparePositions(this.#chunks[0]!.start, position) < 0) this.#bytes -= this.#chunks.shift()!.bytes;
  }
}
