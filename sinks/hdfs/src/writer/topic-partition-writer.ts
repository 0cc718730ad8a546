import { randomUUID } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@tributary/common';
import type { SinkConfig } from '../config.ts';
import type { SinkFileSystem } from '../fs/file-system.ts';
import { committedFileName, tempDir, topicDir } from '../layout/file-names.ts';
import { ParquetFile } from '../parquet/parquet-file.ts';
import type { TableSchema } from '../schema/table-schema.ts';
import { INTENT_PREFIX, type CommitIntent } from './recovery.ts';

interface OpenFile {
  timeDir: string;
  parquet: ParquetFile;
  /** Sink path of the file until it is committed. */
  tempPath: string;
  /** Where the bytes are written on this machine (the temp path itself on a local root). */
  localPath: string;
  startOffset: bigint;
  endOffset: bigint;
}

export type WriterSettings = Pick<SinkConfig, 'flushSize' | 'rotateIntervalMs' | 'fileMaxBytes' | 'maxOpenFiles' | 'compression' | 'rowGroupSize'>;

export interface CommittedUnit {
  files: string[];
  records: number;
  /** The offset after the last record handled: what the group commits. */
  nextOffset: bigint;
}

/**
 * Writes one topic partition's rows into one file per time directory (and schema), and commits
 * them all together: Kafka Connect's TopicPartitionWriter. Files are written under a temp path,
 * closed and fsync'd, then renamed into place under names that carry their offset range; the
 * names are what a restarted sink reads to know where landing stopped.
 */
export class TopicPartitionWriter {
  /** Open files by time directory, then by schema (schemas are shared objects, so identity works). */
  readonly #files = new Map<string, Map<TableSchema, OpenFile>>();
  #openCount = 0;
  #unitRecords = 0;
  #unitBytes = 0;
  #unitStartedAt: number | null = null;
  #lastHandled: bigint | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Offsets below this are in committed files already (from recovery); they are skipped. */
    public landedUpTo: bigint,
    private readonly fs: SinkFileSystem,
    private readonly settings: WriterSettings,
    private readonly stagingDir: string,
    private readonly log: Logger,
  ) {}

  /**
   * Writes a row (values in the schema's column order). Synchronous unless a file must be opened
   * or a full row group written, so a batch of records costs no promise per record.
   */
  write(offset: bigint, timeDir: string, schema: TableSchema, row: readonly unknown[], bytes: number): Promise<void> | undefined {
    const file = this.#files.get(timeDir)?.get(schema);
    if (!file) return this.#openAndWrite(offset, timeDir, schema, row, bytes);
    const full = file.parquet.append(row);
    file.endOffset = offset;
    this.#count(offset, bytes);
    return full ? file.parquet.flush() : undefined;
  }

  async #openAndWrite(offset: bigint, timeDir: string, schema: TableSchema, row: readonly unknown[], bytes: number): Promise<void> {
    let byschema = this.#files.get(timeDir);
    if (!byschema) {
      byschema = new Map();
      this.#files.set(timeDir, byschema);
    }
    byschema.set(schema, await this.#open(timeDir, schema, offset));
    this.#openCount++;
    await this.write(offset, timeDir, schema, row, bytes);
  }

  /** A record that carries no row or went to the dead-letter topic: committed with the rest. */
  skip(offset: bigint): void {
    this.#count(offset, 0);
  }

  /** True when a new time directory or schema would exceed max.open.files. */
  wouldOpenTooMany(timeDir: string, schema: TableSchema): boolean {
    return this.#openCount >= this.settings.maxOpenFiles && this.#files.get(timeDir)?.get(schema) === undefined;
  }

  shouldCommit(now: number): boolean {
    if (this.#lastHandled === null) return false;
    return (
      this.#unitRecords >= this.settings.flushSize ||
      this.#unitBytes >= this.settings.fileMaxBytes ||
      (this.settings.rotateIntervalMs > 0 && this.#unitStartedAt !== null && now - this.#unitStartedAt >= this.settings.rotateIntervalMs)
    );
  }

  /**
   * Publishes every open file: close, upload when the root is remote, write the intent, rename
   * each into place, drop the intent. Null when nothing was handled since the last commit.
   */
  async commit(): Promise<CommittedUnit | null> {
    if (this.#lastHandled === null) return null;
    const files = this.#allFiles();
    // The files are independent until the renames: their fsyncs (or uploads) overlap, and the
    // chain, which holds every record behind a commit, waits for the slowest instead of the sum.
    await Promise.all(files.map((file) => this.#publishable(file)));
    const renames: CommitIntent['renames'] = files.map((file) => {
      const name = committedFileName({ topic: this.topic, partition: this.partition, startOffset: file.startOffset, endOffset: file.endOffset });
      return { from: file.tempPath, to: `${topicDir(this.topic)}/${file.timeDir}/${name}` };
    });
    // One rename is atomic by itself; several need the intent so a crash between them is finished on restart.
    const intentPath = renames.length > 1 ? await this.#writeIntent({ renames }) : null;
    for (const { from, to } of renames) {
      if (!(await this.fs.rename(from, to))) throw new Error(`commit of ${this.topic}-${this.partition} failed: could not rename ${from} to ${to} (does ${to} exist already?)`);
    }
    if (intentPath) await this.fs.delete(intentPath);
    const unit: CommittedUnit = { files: renames.map((r) => r.to), records: this.#unitRecords, nextOffset: this.#lastHandled + 1n };
    this.landedUpTo = unit.nextOffset;
    this.#reset();
    this.log.debug({ topic: this.topic, partition: this.partition, files: unit.files.length, records: unit.records, nextOffset: unit.nextOffset.toString() }, 'committed files');
    return unit;
  }

  /** Drops the uncommitted files: their records will be consumed again from the committed offset. */
  async abort(): Promise<void> {
    for (const file of this.#allFiles()) {
      await file.parquet.abort();
      if (this.fs.localPath(file.tempPath) === null) await this.fs.delete(file.tempPath).catch(() => false);
    }
    this.#reset();
  }

  /** Closes and fsyncs a file, and uploads it when the root is remote. */
  async #publishable(file: OpenFile): Promise<void> {
    await file.parquet.close();
    if (this.fs.localPath(file.tempPath) === null) {
      await this.fs.create(file.tempPath, await nodeFs.readFile(file.localPath));
      await nodeFs.rm(file.localPath, { force: true });
    }
  }

  #allFiles(): OpenFile[] {
    return [...this.#files.values()].flatMap((byschema) => [...byschema.values()]);
  }

  #reset(): void {
    this.#files.clear();
    this.#openCount = 0;
    this.#unitRecords = 0;
    this.#unitBytes = 0;
    this.#unitStartedAt = null;
    this.#lastHandled = null;
  }

  #count(offset: bigint, bytes: number): void {
    this.#unitStartedAt ??= Date.now();
    this.#unitRecords++;
    this.#unitBytes += bytes;
    this.#lastHandled = offset;
  }

  async #open(timeDir: string, schema: TableSchema, offset: bigint): Promise<OpenFile> {
    const dir = tempDir(this.topic, this.partition);
    const tempPath = `${dir}/${randomUUID()}.parquet`;
    let localPath = this.fs.localPath(tempPath);
    if (localPath === null) localPath = join(this.stagingDir, `${this.topic}+${this.partition}+${randomUUID()}.parquet`);
    else await this.fs.mkdirs(dir);
    const parquet = await ParquetFile.open(localPath, schema, this.settings);
    return { timeDir, parquet, tempPath, localPath, startOffset: offset, endOffset: offset };
  }

  async #writeIntent(intent: CommitIntent): Promise<string> {
    const dir = tempDir(this.topic, this.partition);
    const part = `${dir}/${randomUUID()}.part`;
    const final = `${dir}/${INTENT_PREFIX}${randomUUID()}.json`;
    await this.fs.create(part, Buffer.from(JSON.stringify(intent)));
    if (!(await this.fs.rename(part, final))) throw new Error(`could not publish the commit intent ${final}`);
    return final;
  }
}
