import { comparePositions, type BinlogPosition } from './binlog-position.ts';
import type { SchemaRegistry } from './schema-registry.ts';
import { tableId, type TableDef } from './table-schema.ts';

/**
 * One entry of the schema history topic. Entries carry the table definitions that result from
 * the statement, so a restart rebuilds the schema without re-parsing old DDL; `reset` marks the
 * start of a snapshot, which replaces everything before it.
 */
export interface HistoryRecord {
  server: string;
  position: BinlogPosition;
  reset?: boolean;
  databaseName: string;
  ddl: string;
  tableChanges: { type: 'CREATE' | 'ALTER' | 'DROP'; id: string; table: TableDef | null }[];
  databaseCharsets?: Record<string, string>;
  serverCharset?: string;
}

export function encodeHistory(record: HistoryRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

export function decodeHistory(value: Buffer): HistoryRecord {
  return JSON.parse(value.toString('utf8')) as HistoryRecord;
}

/** Rebuilds the registry from the entries up to (and including) `upTo`. */
export function replayHistory(registry: SchemaRegistry, records: HistoryRecord[], upTo: BinlogPosition): void {
  registry.tables.clear();
  for (const record of records) {
    if (comparePositions(record.position, upTo) > 0) continue;
    if (record.reset) registry.tables.clear();
    if (record.serverCharset) registry.serverCharset = record.serverCharset;
    for (const [db, charset] of Object.entries(record.databaseCharsets ?? {})) registry.databaseCharsets.set(db, charset);
    for (const change of record.tableChanges) {
      if (change.type === 'DROP' || !change.table) registry.tables.delete(change.id);
      else registry.tables.set(tableId(change.table.db, change.table.table), structuredClone(change.table));
    }
  }
}
