import type { LandedTable } from './landed-tables.ts';

const HIVE_TYPE: Record<string, string> = {
  UTF8: 'STRING',
  INT32: 'INT',
  INT64: 'BIGINT',
  DOUBLE: 'DOUBLE',
  FLOAT: 'FLOAT',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP_MILLIS: 'TIMESTAMP',
  BYTE_ARRAY: 'BINARY',
};

/** Hive table names allow letters, digits and underscores: tracking.events -> tracking_events. */
export function hiveTableName(topic: string): string {
  return topic.replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
}

export function hiveType(parquetType: string): string {
  const type = HIVE_TYPE[parquetType];
  if (!type) throw new Error(`no Hive type for Parquet type ${parquetType}`);
  return type;
}

/**
 * CREATE EXTERNAL TABLE over a landed topic plus one ADD PARTITION per dt/hour directory, the
 * statements Kafka Connect's Hive integration would run. `location` is the topic's directory as
 * Hive sees it (hdfs://nameservice/path, or file:///path for a local root).
 */
export function hiveDdl(table: LandedTable, location: string): string {
  const name = hiveTableName(table.topic);
  const columns = table.columns.map((column) => `  \`${column.name}\` ${hiveType(column.parquetType)}`);
  const lines = [
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${name}\` (`,
    columns.join(',\n'),
    ')',
    'PARTITIONED BY (`dt` STRING, `hour` STRING)',
    'STORED AS PARQUET',
    `LOCATION '${location}';`,
  ];
  for (const partition of table.partitions) {
    lines.push(`ALTER TABLE \`${name}\` ADD IF NOT EXISTS PARTITION (dt='${partition.dt}', hour='${partition.hour}') LOCATION '${location}/dt=${partition.dt}/hour=${partition.hour}';`);
  }
  return lines.join('\n');
}
