import type { MappedRow, RowMapper, SinkRecord } from './row-mapper.ts';
import { rowValues, tableSchema, type Column, type ColumnType, type TableSchema } from './table-schema.ts';
import { asInt32, asInt64, asString, parseObject, RowError, type JsonObject } from './values.ts';

/**
 * Debezium envelopes flattened the way Debezium's ExtractNewRecordState does it: the row's
 * columns (after the change, or before it for a delete) plus `__`-prefixed change metadata.
 * Row columns are stored as text, digit for digit: a CDC column's JSON type is not enough to
 * pick a lossless Parquet type (DECIMAL arrives as a string, BIGINT UNSIGNED beyond 2^63), and
 * queries CAST what they need.
 */
const META: Array<[name: string, type: ColumnType, read: (envelope: JsonObject, source: JsonObject) => unknown]> = [
  ['__op', 'string', (e) => asString(e.op, 'op')],
  ['__deleted', 'boolean', (e) => e.op === 'd'],
  ['__ts_ms', 'int64', (e) => asInt64(e.ts_ms, 'ts_ms')],
  ['__source_ts_ms', 'int64', (_, s) => asInt64(s.ts_ms, 'source.ts_ms')],
  ['__source_db', 'string', (_, s) => asString(s.db, 'source.db')],
  ['__source_table', 'string', (_, s) => asString(s.table, 'source.table')],
  ['__source_file', 'string', (_, s) => asString(s.file, 'source.file')],
  ['__source_pos', 'int64', (_, s) => asInt64(s.pos, 'source.pos')],
  ['__source_row', 'int32', (_, s) => asInt32(s.row, 'source.row')],
  ['__source_gtid', 'string', (_, s) => asString(s.gtid, 'source.gtid')],
  ['__source_snapshot', 'string', (_, s) => asString(s.snapshot, 'source.snapshot')],
];

const META_COLUMNS: Column[] = META.map(([name, type]) => ({ name, type }));

export function isCdcEnvelope(object: JsonObject): boolean {
  return typeof object.op === 'string' && typeof object.source === 'object' && object.source !== null && ('after' in object || 'before' in object);
}

export class CdcEnvelopeMapper implements RowMapper {
  readonly kind = 'cdc-envelope';
  /** One schema object per column list, so files rotate only when a table's columns change. */
  readonly #schemas = new Map<string, TableSchema>();

  map(record: SinkRecord): MappedRow | null {
    if (record.value === undefined) return null;
    return this.mapObject(parseObject(record.value));
  }

  mapObject(object: JsonObject): MappedRow {
    if (!isCdcEnvelope(object)) throw new RowError('not a change event: expected op, source and before/after');
    const image = (object.op === 'd' ? object.before : object.after) as JsonObject | null;
    if (typeof image !== 'object' || image === null) throw new RowError(`change event with op '${String(object.op)}' has no ${object.op === 'd' ? 'before' : 'after'} image`);
    const names = Object.keys(image);
    const clash = names.find((name) => name.startsWith('__'));
    if (clash) throw new RowError(`column '${clash}' clashes with the sink's __ metadata columns`);
    const schema = this.#schemaFor(names);
    const values = rowValues(schema);
    for (let i = 0; i < names.length; i++) values[i] = asString(image[names[i]!], names[i]!);
    const source = object.source as JsonObject;
    for (let i = 0; i < META.length; i++) values[names.length + i] = META[i]![2](object, source);
    return { schema, values, object };
  }

  #schemaFor(names: string[]): TableSchema {
    const key = names.join('\u0000');
    let schema = this.#schemas.get(key);
    if (!schema) {
      schema = tableSchema([...names.map((name): Column => ({ name, type: 'string' })), ...META_COLUMNS]);
      this.#schemas.set(key, schema);
    }
    return schema;
  }
}
