/** The column types a landed table can have, with their Parquet and Hive spellings. */
export type ColumnType = 'string' | 'int32' | 'int64' | 'double' | 'boolean' | 'timestamp';

export interface Column {
  name: string;
  type: ColumnType;
}

/** A table's columns in order. Every column is nullable except the Kafka position columns. */
export interface TableSchema {
  columns: Column[];
  /** Equal for equal column lists: a file holds rows of one signature, a new one starts a new file. */
  signature: string;
}

/** Where each row came from; written into every file so a landed row can be traced and checked. */
export const KAFKA_COLUMNS: Column[] = [
  { name: 'kafka_partition', type: 'int32' },
  { name: 'kafka_offset', type: 'int64' },
  { name: 'kafka_timestamp', type: 'timestamp' },
];

/** A row's values for a schema, its Kafka position columns (the last ones) still unset. */
export function rowValues(schema: TableSchema): unknown[] {
  return new Array(schema.columns.length);
}

export function setKafkaPosition(values: unknown[], partition: number, offset: bigint, timestamp: bigint): void {
  const at = values.length - KAFKA_COLUMNS.length;
  values[at] = partition;
  values[at + 1] = offset;
  values[at + 2] = Number(timestamp);
}

/** The first timestamp column read from `path`, of columns listed with the paths they are read from. */
export function timestampColumn(columns: ReadonlyArray<{ type: string; path: string }>, path: string): number | undefined {
  const at = columns.findIndex((column) => column.type === 'timestamp' && column.path === path);
  return at < 0 ? undefined : at;
}

export const REQUIRED_COLUMNS = new Set(KAFKA_COLUMNS.map((column) => column.name));

export function tableSchema(columns: Column[]): TableSchema {
  const all = [...columns, ...KAFKA_COLUMNS];
  return { columns: all, signature: all.map((column) => `${column.name}:${column.type}`).join(',') };
}

export const HIVE_TYPES: Record<ColumnType, string> = {
  string: 'STRING',
  int32: 'INT',
  int64: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

export const PARQUET_TYPES: Record<ColumnType, string> = {
  string: 'UTF8',
  int32: 'INT32',
  int64: 'INT64',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP_MILLIS',
};
