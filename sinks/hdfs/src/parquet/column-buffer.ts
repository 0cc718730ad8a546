import type { ParquetField } from '@dsnp/parquetjs/dist/lib/declare.js';
import { REQUIRED_COLUMNS, type ColumnType, type TableSchema } from '../schema/table-schema.ts';
import { encodeDataPage, type ColumnValues, type EncodedPage } from './data-page.ts';

/** A row group's pages, one per column, by column name. */
export interface EncodedRows {
  rowCount: number;
  pages: Record<string, EncodedPage>;
}

type Primitive = (value: unknown, column: string) => unknown;

const fail = (column: string, type: string, value: unknown): never => {
  throw new Error(`invalid value for ${type}: column ${column} got ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`);
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The physical values parquetjs's encoders expect, checked as its own toPrimitive checks them.
 * Text stays a string: the page encoder writes it straight into the page.
 */
const PRIMITIVE: Record<ColumnType, Primitive> = {
  string: (value, column) => (typeof value === 'string' ? value : fail(column, 'UTF8', value)),
  int32: (value, column) => (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff ? value : fail(column, 'INT32', value)),
  int64: (value, column) => (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : fail(column, 'INT64', value)),
  double: (value, column) => (typeof value === 'number' ? value : fail(column, 'DOUBLE', value)),
  boolean: (value, column) => (typeof value === 'boolean' ? value : fail(column, 'BOOLEAN', value)),
  timestamp: (value, column) => (typeof value === 'number' && Number.isFinite(value) ? value : fail(column, 'TIMESTAMP_MILLIS', value)),
};

/**
 * Buffers a row group of a flat schema column by column and encodes it into pages itself, one
 * page per column. For flat columns the Dremel levels are just 0 (null) or 1 (present), and
 * repetition levels are never written, so parquetjs's shredder and its per-value Buffer copies
 * are not needed. A row is converted completely before anything is buffered, so a refused row
 * leaves the buffer as it was.
 */
export class ColumnBuffer {
  readonly #columns: Array<{ name: string; required: boolean; primitive: Primitive }>;
  readonly #scratch: unknown[];
  #data: ColumnValues[];
  rows = 0;

  constructor(schema: TableSchema) {
    this.#columns = schema.columns.map((column) => ({ name: column.name, required: REQUIRED_COLUMNS.has(column.name), primitive: PRIMITIVE[column.type] }));
    this.#scratch = new Array(this.#columns.length);
    this.#data = this.#empty();
  }

  /** A row's values in the schema's column order; null or undefined for a missing value. */
  append(row: readonly unknown[]): void {
    const columns = this.#columns;
    const scratch = this.#scratch;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const value = row[i];
      if (value === null || value === undefined) {
        if (column.required) throw new Error(`missing required field: ${column.name}`);
        scratch[i] = undefined;
      } else {
        scratch[i] = column.primitive(value, column.name);
      }
    }
    const data = this.#data;
    for (let i = 0; i < columns.length; i++) {
      const column = data[i]!;
      const primitive = scratch[i];
      column.count++;
      if (primitive === undefined) {
        column.dlevels.push(0);
      } else {
        if (!columns[i]!.required) column.dlevels.push(1);
        column.values.push(primitive);
      }
    }
    this.rows++;
  }

  /** Encodes the buffered rows and starts an empty buffer. */
  async take(fields: ParquetField[]): Promise<EncodedRows> {
    const buffer: EncodedRows = { rowCount: this.rows, pages: {} };
    for (let i = 0; i < fields.length; i++) buffer.pages[fields[i]!.name] = await encodeDataPage(fields[i]!, this.#data[i]!);
    this.#data = this.#empty();
    this.rows = 0;
    return buffer;
  }

  #empty(): ColumnValues[] {
    return this.#columns.map(() => ({ values: [], dlevels: [], count: 0 }));
  }
}
