import type { MappedRow, RowMapper, SinkRecord } from './row-mapper.ts';
import { rowValues, tableSchema, timestampColumn, type ColumnType } from './table-schema.ts';
import { asBoolean, asDouble, asInt32, asInt64, asJson, asString, asTimestamp, compilePath, parseObject, valueAt } from './values.ts';

/** A column read from a JSON value: its name, type, and dot path in the value (default: the name). */
export interface FieldSpec {
  name: string;
  type: ColumnType | 'json';
  path?: string;
}

const CONVERT: Record<FieldSpec['type'], (value: unknown, field: string) => unknown> = {
  string: asString,
  json: asJson,
  int32: asInt32,
  int64: asInt64,
  double: asDouble,
  boolean: asBoolean,
  timestamp: asTimestamp,
};

/** Rows with a fixed list of columns picked out of JSON values: declared schemas and crawl pages. */
export function fieldMapper(kind: string, fields: FieldSpec[]): RowMapper {
  const schema = tableSchema(fields.map((field) => ({ name: field.name, type: field.type === 'json' ? 'string' : field.type })));
  const readers = fields.map((field) => ({ name: field.name, parts: compilePath(field.path ?? field.name), convert: CONVERT[field.type] }));
  return {
    kind,
    map(record: SinkRecord): MappedRow {
      const object = parseObject(record.value);
      const values = rowValues(schema);
      for (let i = 0; i < readers.length; i++) values[i] = readers[i]!.convert(valueAt(object, readers[i]!.parts), readers[i]!.name);
      return { schema, values, object };
    },
    timestampColumn: (path) => timestampColumn(fields.map((field) => ({ type: field.type, path: field.path ?? field.name })), path),
  };
}
