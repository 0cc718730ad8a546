import { promises as fs } from 'node:fs';
import parquet from '@dsnp/parquetjs';
import type { ParquetCompression } from '../config.ts';
import { PARQUET_TYPES, REQUIRED_COLUMNS, type TableSchema } from '../schema/table-schema.ts';
import type { ParquetField } from '@dsnp/parquetjs/dist/lib/declare.js';
import { ColumnBuffer } from './column-buffer.ts';
import { encodeRowGroup } from './row-group.ts';

const { ParquetSchema, ParquetWriter } = parquet;
type Writer = InstanceType<typeof ParquetWriter>;
type Schema = InstanceType<typeof ParquetSchema>;

const parquetSchemas = new Map<string, Schema>();

function parquetSchema(schema: TableSchema, compression: ParquetCompression): Schema {
  const key = `${compression}|${schema.signature}`;
  let built = parquetSchemas.get(key);
  if (!built) {
    const fields: Record<string, { type: string; optional: boolean; compression: ParquetCompression }> = {};
    for (const column of schema.columns) {
      fields[column.name] = { type: PARQUET_TYPES[column.type], optional: !REQUIRED_COLUMNS.has(column.name), compression };
    }
    built = new ParquetSchema(fields as ConstructorParameters<typeof ParquetSchema>[0]);
    parquetSchemas.set(key, built);
  }
  return built;
}

export interface ParquetFileOptions {
  compression: ParquetCompression;
  rowGroupSize: number;
}

/**
 * One Parquet file being written on the local disk, at most a row group in memory. ColumnBuffer
 * shreds and encodes the rows, row-group.ts lays out the row groups; parquetjs writes them, the
 * page index and the footer.
 */
export class ParquetFile {
  rows = 0;
  readonly #columns: ColumnBuffer;
  /** The schema's fields in column order: a numeric column name would come first in fieldList. */
  readonly #fields: ParquetField[];

  private constructor(
    readonly path: string,
    readonly schema: TableSchema,
    private readonly writer: Writer,
    private readonly rowGroupSize: number,
  ) {
    this.#columns = new ColumnBuffer(schema);
    this.#fields = schema.columns.map((column) => writer.schema.fields[column.name]!);
  }

  static async open(path: string, schema: TableSchema, options: ParquetFileOptions): Promise<ParquetFile> {
    const writer = await ParquetWriter.openFile(parquetSchema(schema, options.compression), path, { rowGroupSize: options.rowGroupSize, useDataPageV2: false });
    return new ParquetFile(path, schema, writer, options.rowGroupSize);
  }

  /** Buffers a row (values in the schema's column order); true when a row group is ready for flush(). */
  append(row: readonly unknown[]): boolean {
    this.#columns.append(row);
    this.rows++;
    return this.#columns.rows >= this.rowGroupSize;
  }

  /**
   * Encodes and writes the buffered rows as a row group, booked in the envelope writer as its
   * writeRowGroup books one, so its page index and footer include it. The chunks follow
   * fieldList, the order of the footer's schema.
   */
  async flush(): Promise<void> {
    if (this.#columns.rows === 0) return;
    const { rowCount, pages } = await this.#columns.take(this.#fields);
    const envelope = this.writer.envelopeWriter!;
    const group = encodeRowGroup(this.writer.schema.fieldList, pages, rowCount, envelope.offset.valueOf());
    envelope.rowCount.setValue(envelope.rowCount.valueOf() + rowCount);
    envelope.rowGroups.push(group.metadata);
    await envelope.writeSection(group.body);
  }

  /** Writes the footer and fsyncs, so a rename after this publishes a whole file. */
  async close(): Promise<void> {
    await this.flush();
    await this.writer.close();
    const handle = await fs.open(this.path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Gives the file up: whatever was written is deleted. */
  async abort(): Promise<void> {
    await this.writer.close().catch(() => undefined);
    await fs.rm(this.path, { force: true });
  }
}
