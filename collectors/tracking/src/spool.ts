import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { comparePositions, RecentAppends } from './recent-appends.ts';
import { decodeSpoolLine, encodeSpoolLine } from './spool-line.ts';

/** One record waiting for the broker. */
export interface SpoolRecord {
  topic: string;
  key: string | null;
  value: string;
}

export interface SpoolPosition {
  segment: number;
  offset: number;
}

/** Records read from the spool; acknowledging it moves the read position past them. */
export interface SpoolBatch {
  records: SpoolRecord[];
  next: SpoolPosition;
  bytes: number;
}

const SEGMENT_SUFFIX = '.jsonl';
const READ_CHUNK = 1024 * 1024;
const RECENT_BYTES = 32 * 1024 * 1024;
const ACK_STORE_MS = 100;
const APPEND_DURABLY = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC;

const segmentName = (segment: number) => `${String(segment).padStart(12, '0')}${SEGMENT_SUFFIX}`;

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A disk queue of segments of one record per line (spool-line.ts) with an acknowledged position:
 * every accepted event with ack spool, the events accepted while the broker is unreachable with
 * ack broker. Appends are on disk (O_DSYNC) before they return, so an accepted event survives a crash; a
 * torn last line can only be an event that was never acknowledged to a client and is cut off on
 * open. Appends must not overlap each other, nor reads and acks each other; an append may run
 * while a read or ack does, since reads stop at the last appended record that is on disk.
 */
export class Spool {
  #active: FileHandle | null = null;
  #activeSegment: number;
  #activeBytes = 0;
  #acked: SpoolPosition;
  /** The read position as the ack file has it. */
  #stored: SpoolPosition;
  #storedAt = 0;
  #events = 0;
  #bytes = 0;
  readonly #recent: RecentAppends;

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    recentBytes: number,
    acked: SpoolPosition,
    activeSegment: number,
  ) {
    this.#recent = new RecentAppends(recentBytes);
    this.#acked = acked;
    this.#stored = acked;
    this.#activeSegment = activeSegment;
  }

  /** `recentBytes`: how much of the newest appends is also kept in memory for forwarding. */
  static async open(dir: string, options: { segmentBytes?: number; recentBytes?: number } = {}): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const acked = await readAckFile(dir);
    const segments = (await readdir(dir))
      .filter((name) => name.endsWith(SEGMENT_SUFFIX))
      .map((name) => Number(name.slice(0, -SEGMENT_SUFFIX.length)))
      .filter((n) => Number.isInteger(n))
      .sort((a, b) => a - b);
    for (const segment of segments.filter((n) => n < acked.segment)) await rm(join(dir, segmentName(segment)), { force: true });
    const live = segments.filter((n) => n >= acked.segment);
    const spool = new Spool(dir, options.segmentBytes ?? 16 * 1024 * 1024, options.recentBytes ?? RECENT_BYTES, acked, live.at(-1) ?? acked.segment);
    for (const segment of live) {
      const path = join(dir, segmentName(segment));
      let content = await readFile(path);
      const end = content.lastIndexOf(0x0a) + 1;
      if (end < content.length) {
        await writeFile(path, content.subarray(0, end));
        content = content.subarray(0, end);
      }
      const from = segment === acked.segment ? Math.min(acked.offset, content.length) : 0;
      const pending = content.subarray(from);
      spool.#bytes += pending.length;
      for (const byte of pending) if (byte === 0x0a) spool.#events++;
      if (segment === spool.#activeSegment) spool.#activeBytes = content.length;
    }
    return spool;
  }

  /** Events appended and not yet acknowledged. */
  get backlog(): { events: number; bytes: number } {
    return { events: this.#events, bytes: this.#bytes };
  }

  async append(records: SpoolRecord[]): Promise<void> {
    if (records.length === 0) return;
    let text = '';
    for (const record of records) text += encodeSpoolLine(record);
    const data = Buffer.from(text);
    if (this.#active === null || this.#activeBytes >= this.segmentBytes) await this.#roll();
    await this.#active!.write(data);
    const start = { segment: this.#activeSegment, offset: this.#activeBytes };
    this.#activeBytes += data.length;
    this.#recent.add({ start, end: { segment: this.#activeSegment, offset: this.#activeBytes }, records, bytes: data.length });
    this.#events += records.length;
    this.#bytes += data.length;
  }

  /** Up to `max` records from the acknowledged position on, in append order (more when an append held more). */
  async read(max: number): Promise<SpoolBatch> {
    for (;;) {
      const recent = this.#recent.first;
      if (recent && comparePositions(recent.start, this.#acked) === 0) return this.#recent.take(max)!;
      const batch = await this.#readDisk(max, recent?.start ?? { segment: this.#activeSegment, offset: this.#activeBytes });
      if (batch.records.length > 0 || comparePositions(batch.next, this.#acked) === 0) return batch;
      await this.ack(batch); // only the end of a segment lay between: move past it and look again
    }
  }

  /** Records on disk from the acknowledged position up to `limit`, the first one not on disk or held in memory. */
  async #readDisk(max: number, limit: SpoolPosition): Promise<SpoolBatch> {
    const records: SpoolRecord[] = [];
    let position = { ...this.#acked };
    let bytes = 0;
    let chunkSize = READ_CHUNK;
    while (records.length < max && comparePositions(position, limit) < 0) {
      const length = position.segment === limit.segment ? Math.min(chunkSize, limit.offset - position.offset) : chunkSize;
      const chunk = await readRange(join(this.dir, segmentName(position.segment)), position.offset, length);
      let start = 0;
      for (let newline = chunk.indexOf(0x0a); newline >= 0 && records.length < max; newline = chunk.indexOf(0x0a, start)) {
        records.push(decodeSpoolLine(chunk.subarray(start, newline).toString('utf8')));
        start = newline + 1;
      }
      bytes += start;
      position = { segment: position.segment, offset: position.offset + start };
      if (start === 0 && chunk.length === chunkSize) {
        chunkSize *= 2; // one line longer than the chunk
        continue;
      }
      if (start === 0 || chunk.length < chunkSize) {
        if (position.segment >= limit.segment || records.length >= max) break;
        position = { segment: position.segment + 1, offset: 0 };
      }
    }
    return { records, next: position, bytes };
  }

  /**
   * Moves the read position past `batch`. The position is stored at most every ACK_STORE_MS, and
   * whenever fully read segments can be deleted: storing it after every produce request cost an
   * fsync each, competing with the appends' fsyncs for the disk, and a crash only sends the records
   * forwarded since the last store once more (same event ids).
   */
  async ack(batch: SpoolBatch): Promise<void> {
    if (batch.next.segment > this.#stored.segment || Date.now() - this.#storedAt >= ACK_STORE_MS) await this.#storeAck(batch.next);
    this.#acked = batch.next;
    this.#recent.dropBefore(batch.next);
    this.#events -= batch.records.length;
    this.#bytes -= batch.bytes;
  }

  async close(): Promise<void> {
    if (comparePositions(this.#acked, this.#stored) !== 0) await this.#storeAck(this.#acked);
    await this.#active?.close();
    this.#active = null;
  }

  /** Durably stores the read position, then deletes the segments before it. */
  async #storeAck(position: SpoolPosition): Promise<void> {
    const tmp = join(this.dir, 'ack.tmp');
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(`${position.segment} ${position.offset}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.dir, 'ack'));
    for (let segment = this.#stored.segment; segment < position.segment; segment++) {
      await rm(join(this.dir, segmentName(segment)), { force: true });
    }
    this.#stored = position;
    this.#storedAt = Date.now();
  }

  async #roll(): Promise<void> {
    await this.#active?.close();
    if (this.#activeBytes >= this.segmentBytes) {
      this.#activeSegment++;
      this.#activeBytes = 0;
    }
    // O_DSYNC: a write returns once it is on disk, as write + fdatasync would, in one call.
    this.#active = await open(join(this.dir, segmentName(this.#activeSegment)), APPEND_DURABLY);
    await syncDirectory(this.dir);
  }
}

async function readAckFile(dir: string): Promise<SpoolPosition> {
  try {
    const [segment, offset] = (await readFile(join(dir, 'ack'), 'utf8')).trim().split(' ').map(Number);
    if (Number.isInteger(segment) && Number.isInteger(offset)) return { segment: segment!, offset: offset! };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { segment: 0, offset: 0 };
}

async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
