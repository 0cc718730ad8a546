import type { MappedRow, RowMapper, SinkRecord } from './row-mapper.ts';
import { rowValues, tableSchema, timestampColumn, type Column, type ColumnType } from './table-schema.ts';
import { asBoolean, asDouble, asInt32, asInt64, asPlainJson, asString, asTimestamp, compilePath, parseObject, valueAt } from './values.ts';

/** tracking.events rows: the enriched event with its nested context spread into columns. */
const FIELDS: Array<[name: string, type: ColumnType, path: string]> = [
  ['event_id', 'string', 'eventId'],
  ['type', 'string', 'type'],
  ['event', 'string', 'event'],
  ['anonymous_id', 'string', 'anonymousId'],
  ['user_id', 'string', 'userId'],
  ['session_id', 'string', 'sessionId'],
  ['event_time', 'timestamp', 'timestamp'],
  ['sent_at', 'timestamp', 'sentAt'],
  ['received_at', 'timestamp', 'receivedAt'],
  ['derived_timestamp', 'timestamp', 'derivedTimestamp'],
  ['clock_skew_ms', 'int64', 'clockSkewMs'],
  ['page_url', 'string', 'context.page.url'],
  ['page_path', 'string', 'context.page.path'],
  ['page_referrer', 'string', 'context.page.referrer'],
  ['page_title', 'string', 'context.page.title'],
  ['utm_source', 'string', 'context.utm.source'],
  ['utm_medium', 'string', 'context.utm.medium'],
  ['utm_campaign', 'string', 'context.utm.campaign'],
  ['locale', 'string', 'context.locale'],
  ['timezone', 'string', 'context.timezone'],
  ['ip', 'string', 'ip'],
  ['user_agent', 'string', 'userAgent'],
  ['browser_name', 'string', 'ua.browser.name'],
  ['browser_version', 'string', 'ua.browser.version'],
  ['os_name', 'string', 'ua.os.name'],
  ['os_version', 'string', 'ua.os.version'],
  ['device_type', 'string', 'ua.device.type'],
  ['is_bot', 'boolean', 'isBot'],
  ['properties', 'string', 'properties'],
  ['traits', 'string', 'traits'],
  ['context', 'string', 'context'],
];

const JSON_COLUMNS = new Set(['properties', 'traits', 'context']);
const SCHEMA = tableSchema(FIELDS.map(([name, type]): Column => ({ name, type })));
const CONVERT: Record<ColumnType, (value: unknown, name: string) => unknown> = {
  timestamp: asTimestamp,
  int64: asInt64,
  boolean: asBoolean,
  string: asString,
  int32: asInt32,
  double: asDouble,
};
const READERS = FIELDS.map(([name, type, path]) => ({ name, parts: compilePath(path), convert: JSON_COLUMNS.has(name) ? asPlainJson : CONVERT[type] }));

export const trackingEventsMapper: RowMapper = {
  kind: 'tracking-events',
  map(record: SinkRecord): MappedRow {
    const object = parseObject(record.value, false);
    const values = rowValues(SCHEMA);
    for (let i = 0; i < READERS.length; i++) {
      const reader = READERS[i]!;
      values[i] = reader.convert(valueAt(object, reader.parts), reader.name);
    }
    return { schema: SCHEMA, values, object };
  },
  timestampColumn: (path) => timestampColumn(FIELDS.map(([, type, fieldPath]) => ({ type, path: fieldPath })), path),
};
