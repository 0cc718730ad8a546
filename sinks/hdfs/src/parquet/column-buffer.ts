import { REQUIRED_COLUMNS, type ColumnType, type TableSchema } from '../schema/table-schema.ts';

/** parquetjs's RecordBuffer, the structure its shredder fills and its page encoder reads. */
export interface RecordBuffer {
  rowCount: number;
  pageRowCount: number;
  columnData: Record<string, { dlevels: number[]; rlevels: number[]; values: unknown[]; distinct_values: Set<unknown>; count: number }>;
  pages: Record<string, unknown[]>;
}

type Primitive = (value: unknown, column: string) => unknown;

const fail = (column: string, type: string, value: unknown): never => {
  throw new Error(`invalid value for ${type}: column ${column} got ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`);
};

/** The physical values parquetjs's encoders expect, checked as its own toPrimitive checks them. */
const PRIMITIVE: Record<ColumnType, Primitive> = {
  string: (value, column) => (typeof value === 'string' ? Buffer.from(value, 'utf8') : fail(column, 'UTF8', value)),
  int32: (value, column) => (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff ? value : fail(column, 'INT32', value)),
  int64: (value, column) => (typeof value === 'bigint' && value >= -(2n ** 63n) && value < 2n ** 63n ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : fail(column, 'INT64', value)),
  double: (value, column) => (typeof value === 'number' ? value : fail(column, 'DOUBLE', value)),
  boolean: (value, column) => (typeof value === 'boolean' ? value : fail(column, 'BOOLEAN', value)),
  timestamp: (value, column) => (typeof value === 'number' && Number.isFinite(value) ? value : fail(column, 'TIMESTAMP_MILLIS', value)),
};

/**
 * Shreds rows of a flat schema straight into parquetjs's column buffer. Its generic shredder
 * builds a temporary record of arrays and sets per row, which made it the sink's largest cost;
 * for flat columns the Dremel levels are just 0 (null) or 1 (present) and every repetition
 * level is 0. A row is converted completely before anything is buffered, so a refused row
 * leaves the buffer as it was.
 */
export class ColumnBuffer {
  readonly #columns: Array<{ name: string; required: boolean; primitive: Primitive }>;
  readonly #scratch: unknown[];
  buffer: RecordBuffer;

  constructor(schema: TableSchema) {
    this.#columns = schema.columns.map((column) => ({ name: column.name, required: REQUIRED_COLUMNS.has(column.name), primitive: PRIMITIVE[column.type] }));
    this.#scratch = new Array(this.#columns.length);
    this.buffer = this.#empty();
  }

  get rows(): number {
    return this.buffer.rowCount;
  }

  append(row: Record<string, unknown>): void {
    const columns = this.#columns;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const value = row[column.name];
      if (value === null || value === undefined) {
        if (column.required) throw new Error(`missing required field: ${column.name}`);
        this.#scratch[i] = undefined;
      } else {
        this.#scratch[i] = column.primitive(value, column.name);
      }
    }
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const data = this.buffer.columnData[column.name]!;
      const primitive = this.#scratch[i];
      data.rlevels.push(0);
      data.count++;
      if (primitive === undefined) {
        data.dlevels.push(0);
      } else {
        // Required columns have a maximum definition level of 0, optional ones of 1.
        data.dlevels.push(column.required ? 0 : 1);
        data.values.push(primitive);
        data.distinct_values.add(row[column.name]);
      }
    }
    this.buffer.rowCount++;
    this.buffer.pageRowCount++;
  }

  /** Hands the buffered rows over and starts an empty buffer. */
  take(): RecordBuffer {
    const full = this.buffer;
    this.buffer = this.#empty();
    return full;
  }

  #empty(): RecordBuffer {
    const buffer: RecordBuffer = { rowCount: 0, pageRowCount: 0, columnData: {}, pages: {} };
    for (const column of this.#columns) {
      buffer.columnData[column.name] = { dlevels: [], rlevels: [], values: [], distinct_values: new Set(), count: 0 };
      buffer.pages[column.name] = [];
    }
    return buffer;
  }
}
