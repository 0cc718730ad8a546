import type { CaptureFilter } from './filters.ts';
import { writeJson, type JsonValue } from './json-writer.ts';
import type { OutRecord } from './kafka-io.ts';
import type { TableDef } from './table-schema.ts';
import { convertValue } from './value-converter.ts';

export type Op = 'c' | 'u' | 'd' | 'r';

/** Debezium's source block: enough to locate the change in the binlog and drop replays. */
export interface SourceInfo {
  name: string;
  serverId: number;
  tsMs: number;
  db: string;
  table: string;
  file: string;
  pos: number;
  row: number;
  gtid: string | null;
  snapshot: 'true' | 'last' | 'false';
}

export type RawRow = Record<string, unknown>;

const MASK = '*****';

/** Kafka topic names allow [a-zA-Z0-9._-]; other characters become '_' as Debezium does. */
export function topicName(serverName: string, db: string, table: string): string {
  return [serverName, db, table].map((part) => part.replace(/[^a-zA-Z0-9._-]/g, '_')).join('.');
}

export function convertRow(def: TableDef, row: RawRow, filter: CaptureFilter): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const column of def.columns) {
    if (filter.columnExcluded(def.db, def.table, column.name)) continue;
    out[column.name] = filter.columnMasked(def.db, def.table, column.name) ? MASK : convertValue(column, row[column.name]);
  }
  return out;
}

function keyOf(def: TableDef, keyColumns: string[], row: RawRow): Buffer | null {
  if (keyColumns.length === 0) return null;
  const key: Record<string, JsonValue> = {};
  for (const name of keyColumns) {
    const column = def.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    key[name] = column ? convertValue(column, row[column.name]) : null;
  }
  return Buffer.from(writeJson(key));
}

/**
 * The records for one row change: the envelope, and after a delete the tombstone that lets
 * compaction forget the key. An update that changes the key is a delete of the old key plus a
 * create of the new, as Debezium emits it.
 */
export function changeRecords(params: {
  def: TableDef;
  keyColumns: string[];
  filter: CaptureFilter;
  op: Op;
  before: RawRow | null;
  after: RawRow | null;
  source: SourceInfo;
  topic: string;
}): OutRecord[] {
  const { def, keyColumns, filter, op, before, after, source, topic } = params;
  const envelope = (o: Op, b: RawRow | null, a: RawRow | null): Buffer =>
    Buffer.from(writeJson({
      before: b ? convertRow(def, b, filter) : null,
      after: a ? convertRow(def, a, filter) : null,
      source: {
        version: '0.1.0', connector: 'mysql', name: source.name, ts_ms: source.tsMs, snapshot: source.snapshot,
        db: source.db, table: source.table, server_id: source.serverId, gtid: source.gtid,
        file: source.file, pos: source.pos, row: source.row,
      },
      op: o,
      ts_ms: Date.now(),
    }));
  if (op === 'd') {
    const key = keyOf(def, keyColumns, before!);
    return [{ topic, key, value: envelope('d', before, null) }, { topic, key, value: null }];
  }
  if (op === 'u') {
    const oldKey = keyOf(def, keyColumns, before!);
    const newKey = keyOf(def, keyColumns, after!);
    if (oldKey && newKey && !oldKey.equals(newKey)) {
      return [
        { topic, key: oldKey, value: envelope('d', before, null) },
        { topic, key: oldKey, value: null },
        { topic, key: newKey, value: envelope('c', null, after) },
      ];
    }
    return [{ topic, key: newKey, value: envelope('u', before, after) }];
  }
  return [{ topic, key: keyOf(def, keyColumns, after!), value: envelope(op, null, after) }];
}
