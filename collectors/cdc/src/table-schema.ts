/**
 * The shape of one captured table at one point of the binlog: what a row image is decoded with.
 * `type` follows INFORMATION_SCHEMA.COLUMNS.COLUMN_TYPE (lower case, e.g. 'bigint(20) unsigned',
 * "enum('a','b')") because the binlog decoder reads signedness and BINARY/VARBINARY from it.
 */
export interface ColumnDef {
  name: string;
  type: string;
  /** Character set of text columns; null for numbers, temporals and binary strings. */
  charset: string | null;
  /** Members of ENUM and SET columns, in declaration order. */
  values?: string[];
}

export interface TableDef {
  db: string;
  table: string;
  columns: ColumnDef[];
  primaryKey: string[];
  /** Charset new text columns get when their definition names none. */
  defaultCharset: string | null;
}

export function tableId(db: string, table: string): string {
  return `${db}.${table}`;
}

const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);
const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'json']);

/** The type's first word: 'bigint(20) unsigned' -> 'bigint'. */
export function baseType(type: string): string {
  return /^[a-z0-9_]+/.exec(type)?.[0] ?? type;
}

export function isTextType(type: string): boolean {
  return TEXT_TYPES.has(baseType(type));
}

export function isBinaryType(type: string): boolean {
  return BINARY_TYPES.has(baseType(type));
}

/** Digits after the point of DATETIME(p), TIMESTAMP(p) and TIME(p); 0 when absent. */
export function fractionalDigits(type: string): number {
  const match = /^(?:datetime|timestamp|time)\((\d)\)/.exec(type);
  return match ? Number(match[1]) : 0;
}

/** charset of a collation name: utf8mb4_unicode_ci -> utf8mb4. */
export function charsetOfCollation(collation: string): string {
  return collation.split('_')[0]!.toLowerCase();
}
