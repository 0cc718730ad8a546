import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * Kafka's time index: 12-byte entries (timestamp int64, offset relative to the segment base,
 * int32) with increasing timestamps, so a lookup by time finds where to start scanning.
 */
export class TimeIndex {
  private timestamps: number[] = [];
  private relativeOffsets: number[] = [];
  private fd: number;

  constructor(readonly path: string, readonly baseOffset: number) {
    if (existsSync(path)) {
      const content = readFileSync(path);
      const usable = content.length - (content.length % 12);
      for (let at = 0; at < usable; at += 12) {
        this.timestamps.push(Number(content.readBigInt64BE(at)));
        this.relativeOffsets.push(content.readInt32BE(at + 8));
      }
    }
    this.fd = openSync(path, 'a+');
  }

  get entries(): number {
    return this.timestamps.length;
  }

  get lastTimestamp(): number {
    return this.entries === 0 ? -1 : this.timestamps[this.entries - 1]!;
  }

  entry(i: number): { timestamp: number; offset: number } {
    return { timestamp: this.timestamps[i]!, offset: this.baseOffset + this.relativeOffsets[i]! };
  }

  maybeAppend(timestamp: number, offset: number): void {
    if (timestamp <= this.lastTimestamp) return;
    const entry = Buffer.allocUnsafe(12);
    entry.writeBigInt64BE(BigInt(timestamp), 0);
    entry.writeInt32BE(offset - this.baseOffset, 8);
    writeSync(this.fd, entry);
    this.timestamps.push(timestamp);
    this.relativeOffsets.push(offset - this.baseOffset);
  }

  /** The offset to start scanning from for the first record at or after the timestamp. */
  lookup(timestamp: number): number {
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? this.baseOffset : this.baseOffset + this.relativeOffsets[found]!;
  }

  truncateToOffset(offset: number): void {
    let keep = this.entries;
    while (keep > 0 && this.baseOffset + this.relativeOffsets[keep - 1]! >= offset) keep--;
    this.timestamps.length = keep;
    this.relativeOffsets.length = keep;
    ftruncateSync(this.fd, keep * 12);
  }

  reset(): void {
    this.truncateToOffset(this.baseOffset);
  }

  close(): void {
    closeSync(this.fd);
  }
}
