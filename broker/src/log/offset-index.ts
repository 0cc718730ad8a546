import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * Kafka's sparse offset index: 8-byte entries (offset relative to the segment base, int32;
 * position in the .log file, int32), appended as the segment grows. Kept in memory too: a lookup
 * is a binary search for the last entry at or below the target.
 */
export class OffsetIndex {
  private relativeOffsets: number[] = [];
  private positions: number[] = [];
  private fd: number;

  constructor(readonly path: string, readonly baseOffset: number) {
    if (existsSync(path)) {
      const content = readFileSync(path);
      const usable = content.length - (content.length % 8);
      for (let at = 0; at < usable; at += 8) {
        this.relativeOffsets.push(content.readInt32BE(at));
        this.positions.push(content.readInt32BE(at + 4));
      }
    }
    this.fd = openSync(path, 'a+');
  }

  get entries(): number {
    return this.positions.length;
  }

  get sizeInBytes(): number {
    return this.entries * 8;
  }

  entry(i: number): { offset: number; position: number } {
    return { offset: this.baseOffset + this.relativeOffsets[i]!, position: this.positions[i]! };
  }

  append(offset: number, position: number): void {
    const relative = offset - this.baseOffset;
    if (this.entries > 0 && relative <= this.relativeOffsets[this.entries - 1]!) return;
    const entry = Buffer.allocUnsafe(8);
    entry.writeInt32BE(relative, 0);
    entry.writeInt32BE(position, 4);
    writeSync(this.fd, entry);
    this.relativeOffsets.push(relative);
    this.positions.push(position);
  }

  /** Position of the last indexed batch starting at or before the offset (0 when none). */
  lookup(offset: number): number {
    const target = offset - this.baseOffset;
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relativeOffsets[mid]! <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.positions[found]!;
  }

  /** Drops entries at or beyond the position (after a truncation of the log). */
  truncateToPosition(position: number): void {
    let keep = this.entries;
    while (keep > 0 && this.positions[keep - 1]! >= position) keep--;
    this.relativeOffsets.length = keep;
    this.positions.length = keep;
    ftruncateSync(this.fd, keep * 8);
  }

  reset(): void {
    this.truncateToPosition(0);
  }

  close(): void {
    closeSync(this.fd);
  }
}
