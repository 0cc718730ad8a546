import { promises as fs } from 'node:fs';
import parquet from '@dsnp/parquetjs';
import type { ParquetCompression } from '../config.ts';
import { PARQUET_TYPES, REQUIRED_COLUMNS, type TableSchema } from '../schema/table-schema.ts';
import { ColumnBuffer, type RecordBuffer } from './column-buffer.ts';

const { ParquetSchema, ParquetWriter } = parquet;
type Writer = InstanceType<typeof ParquetWriter>;
type Schema = InstanceType<typeof ParquetSchema>;

const parquetSchemas = new Map<string, Schema>();

/** parquetjs declares column values as number[]; they hold Buffers and bigints as well. */
const asLibraryBuffer = (buffer: RecordBuffer) => buffer as unknown as Writer['rowBuffer'];

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
 * One Parquet file being written on the local disk, at most a row group in memory. Rows are
 * shredded by ColumnBuffer; the row that completes a group goes through parquetjs's own
 * appendRow, which then encodes and writes the group, so the encoding stays the library's.
 */
export class ParquetFile {
  rows = 0;
  readonly #columns: ColumnBuffer;

  private constructor(
    readonly path: string,
    readonly schema: TableSchema,
    private readonly writer: Writer,
    private readonly rowGroupSize: number,
  ) {
    this.#columns = new ColumnBuffer(schema);
  }

  static async open(path: string, schema: TableSchema, options: ParquetFileOptions): Promise<ParquetFile> {
    const writer = await ParquetWriter.openFile(parquetSchema(schema, options.compression), path, { rowGroupSize: options.rowGroupSize, useDataPageV2: false });
    return new ParquetFile(path, schema, writer, options.rowGroupSize);
  }

  async append(row: Record<string, unknown>): Promise<void> {
    if (this.#columns.rows + 1 < this.rowGroupSize) {
      this.#columns.append(row);
    } else {
      this.writer.rowBuffer = asLibraryBuffer(this.#columns.take());
      await this.writer.appendRow(row);
    }
    this.rows++;
  }

  /** Writes the footer and fsyncs, so a rename after this publishes a whole file. */
  async close(): Promise<void> {
    if (this.#columns.rows > 0) this.writer.rowBuffer = asLibraryBuffer(this.#columns.take());
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
