import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

/** Kafka's .txnindex entry: version int16, producer id, first, last and last stable offset (int64s). */
const ENTRY_BYTES = 34;
const VERSION = 0;

/**
 * The aborted transactions of one segment (Kafka's TransactionIndex): an entry is appended when an
 * abort marker lands in the segment, so read_committed fetches can tell clients what to drop.
 */
export class TransactionIndex {
  private list: AbortedTxn[] = [];
  private fd: number;
  /** False when the file was missing (lost, or written before transactions existed): the segment must be rescanned. */
  readonly existed: boolean;

  constructor(readonly path: string) {
    this.existed = existsSync(path);
    if (this.existed) {
      const content = readFileSync(path);
      for (let at = 0; at + ENTRY_BYTES <= content.length; at += ENTRY_BYTES) {
        this.list.push({
          producerId: Number(content.readBigInt64BE(at + 2)),
          firstOffset: Number(content.readBigInt64BE(at + 10)),
          lastOffset: Number(content.readBigInt64BE(at + 18)),
          lastStableOffset: Number(content.readBigInt64BE(at + 26)),
        });
      }
    }
    this.fd = openSync(path, 'a+');
  }

  get entries(): readonly AbortedTxn[] {
    return this.list;
  }

  append(entry: AbortedTxn): void {
    const buf = Buffer.alloc(ENTRY_BYTES);
    buf.writeInt16BE(VERSION, 0);
    buf.writeBigInt64BE(BigInt(entry.producerId), 2);
    buf.writeBigInt64BE(BigInt(entry.firstOffset), 10);
    buf.writeBigInt64BE(BigInt(entry.lastOffset), 18);
    buf.writeBigInt64BE(BigInt(entry.lastStableOffset), 26);
    writeSync(this.fd, buf, 0, ENTRY_BYTES, this.list.length * ENTRY_BYTES);
    this.list.push(entry);
  }

  /** Entries overlapping [startOffset, upperBoundOffset): the aborted transactions a fetch must name. */
  collect(startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return this.list.filter((entry) => entry.lastOffset >= startOffset && entry.firstOffset < upperBoundOffset);
  }

  reset(): void {
    ftruncateSync(this.fd, 0);
    this.list = [];
  }

  close(): void {
    closeSync(this.fd);
  }

  delete(): void {
    rmSync(this.path, { force: true });
  }
}
