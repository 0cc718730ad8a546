import type { TableSchema } from './table-schema.ts';
import type { JsonObject } from './values.ts';

/** A consumed record as the sink sees it. */
export interface SinkRecord {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key: string | undefined;
  value: string | undefined;
}

export interface MappedRow {
  schema: TableSchema;
  /**
   * Column values in the schema's order, one array per record instead of an object keyed by
   * name. The Kafka position columns come last and are left for the worker to set.
   */
  values: unknown[];
  /** The parsed value, when it was JSON, for the event-time field. */
  object: JsonObject | null;
}

/**
 * Turns records of one kind into rows of a table. Returns null for records that carry no row
 * (a CDC tombstone, which only tells compaction to forget a key); throws RowError for records
 * that should carry one but cannot be read.
 */
export interface RowMapper {
  readonly kind: string;
  map(record: SinkRecord): MappedRow | null;
  /**
   * The column holding the value at this dot path read as a timestamp, if the mapper has one:
   * the worker takes the event time from it instead of converting the field a second time.
   */
  timestampColumn?(path: string): number | undefined;
}
