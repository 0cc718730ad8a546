import { promises as fs } from 'node:fs';
import parquet from '@dsnp/parquetjs';
import type { ParquetCompression } from '../config.ts';
import { PARQUET_TYPES, REQUIRED_COLUMNS, type TableSchema } from '../schema/table-schema.ts';

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

/** One Parquet file being written on the local disk; the writer keeps at most a row group in memory. */
export class ParquetFile {
  rows = 0;

  private constructor(
    readonly path: string,
    readonly schema: TableSchema,
    private readonly writer: Writer,
  ) {}

  static async open(path: string, schema: TableSchema, options: ParquetFileOptions): Promise<ParquetFile> {
    const writer = await ParquetWriter.openFile(parquetSchema(schema, options.compression), path, { rowGroupSize: options.rowGroupSize, useDataPageV2: false });
    return new ParquetFile(path, schema, writer);
  }

  async append(row: Record<string, unknown>): Promise<void> {
    await this.writer.appendRow(row);
    this.rows++;
  }

  /** Writes the footer and fsyncs, so a rename after this publishes a whole file. */
  async close(): Promise<void> {
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
