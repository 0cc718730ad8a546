import type { MappedRow, RowMapper, SinkRecord } from './row-mapper.ts';
import { rowValues, tableSchema } from './table-schema.ts';

const SCHEMA = tableSchema([
  { name: 'key', type: 'string' },
  { name: 'value', type: 'string' },
]);

/** Any other topic: key and value as text, so nothing is refused for lack of a schema. */
export const keyValueMapper: RowMapper = {
  kind: 'key-value',
  map(record: SinkRecord): MappedRow {
    let object: Record<string, unknown> | null = null;
    if (record.value !== undefined && record.value.startsWith('{')) {
      try {
        object = JSON.parse(record.value) as Record<string, unknown>;
      } catch {
        object = null;
      }
    }
    const values = rowValues(SCHEMA);
    values[0] = record.key ?? null;
    values[1] = record.value ?? null;
    return { schema: SCHEMA, values, object };
  },
};
