import { closeSync, fstatSync, ftruncateSync, openSync, readSync, rmSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH, computeCrc, readBatchHeader, type BatchHeader } from './record-batch.ts';
import { OffsetIndex } from './offset-index.ts';
import { decodeRecordBatch } from './records.ts';
import { TimeIndex } from './time-index.ts';
import { TransactionIndex } from './transaction-index.ts';

export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

/**
 * One segment of a partition log: the .log file of record batches with its sparse .index and
 * .timeindex. Batches are written as whole units; reads return whole batches as raw bytes.
 */
export class LogSegment {
  private fd: number;
  private sizeBytes: number;
  private bytesSinceLastIndexEntry = 0;
  readonly index: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly txnIndex: TransactionIndex;
  /** Offset after the last batch in this segment. */
  nextOffset: number;
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  readonly created: number;

  constructor(readonly dir: string, readonly baseOffset: number, private readonly indexIntervalBytes: number, now: number) {
    this.fd = openSync(this.logPath, 'a+');
    this.sizeBytes = fstatSync(this.fd).size;
    this.index = new OffsetIndex(join(dir, segmentFileName(baseOffset, '.index')), baseOffset);
    this.timeIndex = new TimeIndex(join(dir, segmentFileName(baseOffset, '.timeindex')), baseOffset);
    this.txnIndex = new TransactionIndex(join(dir, segmentFileName(baseOffset, '.txnindex')));
    this.nextOffset = baseOffset;
    this.created = now;
  }

  get logPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, '.log'));
  }

  get size(): number {
    return this.sizeBytes;
  }

  append(batches: Buffer, headers: BatchHeader[]): void {
    let position = this.sizeBytes;
    writeSync(this.fd, batches, 0, batches.length, this.sizeBytes);
    for (const header of headers) {
      this.track(header, position);
      position += header.size;
    }
    this.sizeBytes += batches.length;
  }

  private track(header: BatchHeader, position: number): void {
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes || this.index.entries === 0) {
      this.index.append(header.baseOffset, position);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += header.size;
    if (header.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = header.maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
      this.timeIndex.maybeAppend(header.maxTimestamp, header.baseOffset);
    }
    this.nextOffset = lastOffset + 1;
  }

  private readHeaderAt(position: number): BatchHeader | null {
    if (position + BATCH.HEADER_SIZE > this.sizeBytes) return null;
    const buf = Buffer.allocUnsafe(BATCH.HEADER_SIZE);
    readSync(this.fd, buf, 0, BATCH.HEADER_SIZE, position);
    const header = readBatchHeader(buf);
    return header.size >= BATCH.HEADER_SIZE && position + header.size <= this.sizeBytes ? header : null;
  }

  /** File position of the first batch whose last offset is at or after the offset, or null. */
  private positionOf(offset: number): { position: number; header: BatchHeader } | null {
    let position = this.index.lookup(offset);
    for (;;) {
      const header = this.readHeaderAt(position);
      if (!header) return null;
      if (header.baseOffset + header.lastOffsetDelta >= offset) return { position, header };
      position += header.size;
    }
  }

  read(startOffset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): Buffer | null {
    const start = this.positionOf(startOffset);
    if (!start || start.header.baseOffset >= maxOffsetExclusive) return null;
    let end = start.position;
    let header: BatchHeader | null = start.header;
    while (header && header.baseOffset + header.lastOffsetDelta < maxOffsetExclusive) {
      if (end + header.size - start.position > maxBytes && !(minOneBatch && end === start.position)) break;
      end += header.size;
      header = this.readHeaderAt(end);
    }
    if (end === start.position) return null;
    const out = Buffer.allocUnsafe(end - start.position);
    readSync(this.fd, out, 0, out.length, start.position);
    return out;
  }

  /** One whole batch, as located by headers(). */
  readBatch(position: number, size: number): Buffer {
    const out = Buffer.allocUnsafe(size);
    readSync(this.fd, out, 0, size, position);
    return out;
  }

  /** Scans headers in order, for timestamp lookups and producer-state rebuilding. */
  *headers(fromPosition = 0): Generator<{ header: BatchHeader; position: number }> {
    let position = fromPosition;
    for (;;) {
      const header = this.readHeaderAt(position);
      if (!header) return;
      yield { header, position };
      position += header.size;
    }
  }

  findOffsetByTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    const startOffset = this.timeIndex.lookup(timestamp);
    const start = this.positionOf(startOffset);
    if (!start) return null;
    for (const { header, position } of this.headers(start.position)) {
      if (header.maxTimestamp < timestamp) continue;
      // Kafka answers with the exact record, so look inside the batch that holds it.
      const batch = Buffer.allocUnsafe(header.size);
      readSync(this.fd, batch, 0, header.size, position);
      try {
        const record = decodeRecordBatch(batch).records.find((candidate) => candidate.timestamp >= timestamp);
        if (record) return { offset: record.offset, timestamp: record.timestamp };
      } catch {
        // A batch we cannot decompress (zstd) is answered at batch granularity.
      }
      return { offset: header.baseOffset, timestamp: header.maxTimestamp };
    }
    return null;
  }

  /**
   * Rebuilds the indexes by scanning the log, truncating at the first batch that is torn or
   * fails its CRC (a crash mid-write). Returns the headers of the valid batches.
   */
  recover(): { truncatedBytes: number; headers: BatchHeader[] } {
    this.index.reset();
    this.timeIndex.reset();
    // Rebuilt by the log as it replays producer state over the recovered batches.
    this.txnIndex.reset();
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.nextOffset = this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    const headers: BatchHeader[] = [];
    let position = 0;
    const fileSize = this.sizeBytes;
    for (;;) {
      const header = this.readHeaderAt(position);
      if (!header || buffersMagic(this.fd, position) !== 2) break;
      const body = Buffer.allocUnsafe(header.size);
      readSync(this.fd, body, 0, header.size, position);
      if (computeCrc(body, 0, header.size) !== body.readUInt32BE(BATCH.CRC)) break;
      this.track(header, position);
      headers.push(header);
      position += header.size;
    }
    if (position < fileSize) {
      ftruncateSync(this.fd, position);
      this.sizeBytes = position;
    }
    return { truncatedBytes: fileSize - position, headers };
  }

  /** Drops every batch at or after the offset (replication truncation). */
  truncateTo(offset: number): void {
    const found = this.positionOf(offset);
    if (!found) return;
    const position = found.header.baseOffset >= offset ? found.position : found.position + found.header.size;
    ftruncateSync(this.fd, position);
    this.sizeBytes = position;
    this.recover();
  }

  flush(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
    this.index.close();
    this.timeIndex.close();
    this.txnIndex.close();
  }

  deleteFiles(): void {
    this.close();
    rmSync(this.logPath, { force: true });
    rmSync(this.index.path, { force: true });
    rmSync(this.timeIndex.path, { force: true });
    this.txnIndex.delete();
  }
}

function buffersMagic(fd: number, position: number): number {
  const one = Buffer.allocUnsafe(1);
  readSync(fd, one, 0, 1, position + BATCH.MAGIC);
  return one.readInt8(0);
}
