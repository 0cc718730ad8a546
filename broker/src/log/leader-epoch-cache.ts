import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../metadata/atomic-file.ts';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_OFFSET = -1;

/** Kafka's leader-epoch-checkpoint text format: version, entry count, then "epoch startOffset" lines. */
export function encodeEpochCheckpoint(entries: EpochEntry[]): string {
  return ['0', String(entries.length), ...entries.map((entry) => `${entry.epoch} ${entry.startOffset}`), ''].join('\n');
}

export function decodeEpochCheckpoint(text: string): EpochEntry[] {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  if (lines[0] !== '0') throw new Error(`unknown leader-epoch-checkpoint version '${lines[0]}'`);
  return lines.slice(2, 2 + Number(lines[1])).map((line) => {
    const [epoch, startOffset] = line.split(/\s+/).map(Number);
    return { epoch: epoch!, startOffset: startOffset! };
  });
}

/**
 * Which leader epoch wrote which offsets (Kafka's LeaderEpochFileCache). A replica that returns
 * after a leader change asks the new leader where its last epoch ended (OffsetForLeaderEpoch)
 * and truncates anything past that point: the divergent tail an old leader wrote but never
 * committed, which high-watermark truncation alone could keep or lose wrongly (KIP-101).
 */
export class LeaderEpochCache {
  private entries: EpochEntry[] = [];
  private readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, 'leader-epoch-checkpoint');
    if (existsSync(this.path)) this.entries = decodeEpochCheckpoint(readFileSync(this.path, 'utf8'));
  }

  get latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  get all(): EpochEntry[] {
    return [...this.entries];
  }

  /** Records that `epoch` starts at `startOffset`; only newer epochs are taken. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || epoch <= this.latestEpoch) return;
    while (this.entries.length > 0 && this.entries.at(-1)!.startOffset > startOffset) this.entries.pop();
    this.entries.push({ epoch, startOffset });
    this.flush();
  }

  /**
   * The end offset of `requestedEpoch` (the start of the next epoch, or the log end for the
   * latest), with the largest epoch at or below the one asked for — Kafka's endOffsetFor.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    if (requestedEpoch === UNDEFINED_EPOCH) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET };
    if (requestedEpoch === this.latestEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.find((entry) => entry.epoch > requestedEpoch);
    if (!higher) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET };
    const floor = [...this.entries].reverse().find((entry) => entry.epoch <= requestedEpoch);
    return { epoch: floor ? floor.epoch : requestedEpoch, endOffset: higher.startOffset };
  }

  /** After truncating the log to `endOffset`, epochs starting at or past it are gone too. */
  truncateFromEnd(endOffset: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((entry) => entry.startOffset < endOffset);
    if (this.entries.length !== before) this.flush();
  }

  clear(): void {
    this.entries = [];
    this.flush();
  }

  private flush(): void {
    writeFileAtomic(this.path, encodeEpochCheckpoint(this.entries));
  }
}
