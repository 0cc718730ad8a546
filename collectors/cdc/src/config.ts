import { ConfigError, loadSection, type SectionSchema, type SectionValues } from '@tributary/common';

/**
 * The cdc section. Keys follow Debezium's MySQL connector where it has one, so that an operator's
 * knowledge carries over.
 */
export const cdcSchema = {
  mysql: { type: 'string', default: null, doc: 'Source database as mysql://USER:PASS@HOST:PORT (MySQL 5.7/8.x or MariaDB 10.x).' },
  'server.name': { type: 'string', default: null, doc: 'Logical name of the source; prefix of every topic (<server>.<db>.<table>) and key of the stored offset.' },
  'server.id': { type: 'int', default: 5400, min: 1, max: 4294967295, doc: 'Replication server id of this connector; unique among the source\'s replicas.' },
  'bootstrap.servers': { type: 'string', default: '127.0.0.1:9092', doc: 'Broker HOST:PORT[,HOST:PORT].' },
  'snapshot.mode': { type: 'string', default: 'initial', choices: ['initial', 'when_needed', 'never', 'schema_only'], doc: 'initial: snapshot once, then stream; when_needed: snapshot again when the stored position is no longer in the binlog; never: stream from the current end (or the stored position); schema_only: record the schema, no rows.' },
  'snapshot.fetch.size': { type: 'int', default: 5000, min: 1, doc: 'Rows per snapshot chunk (read by primary key).' },
  'database.include.list': { type: 'list', default: [], doc: 'Databases to capture (empty: all but the system ones).' },
  'database.exclude.list': { type: 'list', default: [], doc: 'Databases never captured.' },
  'table.include.list': { type: 'list', default: [], doc: 'Tables to capture as db.table (empty: all in the captured databases).' },
  'table.exclude.list': { type: 'list', default: [], doc: 'Tables never captured, as db.table.' },
  'column.exclude.list': { type: 'list', default: [], doc: 'Columns left out of events, as db.table.column.' },
  'column.mask.list': { type: 'list', default: [], doc: 'Columns whose values are replaced by ***** in events, as db.table.column.' },
  'message.key.columns': { type: 'list', default: [], doc: 'Keys for tables without a primary key, as db.table:col1:col2 entries.' },
  'offsets.topic': { type: 'string', default: 'tributary-cdc-offsets', doc: 'Compacted topic holding the last fully produced binlog position per server name.' },
  'exactly.once': { type: 'boolean', default: false, doc: 'Write each batch of change events and the position after it in one Kafka transaction (transactional.id tributary-cdc-<server>): after a crash, read_committed consumers see every change exactly once. Needs a broker with transactions.' },
  'schema.history.topic': { type: 'string', default: null, doc: 'Topic holding the schema history (default: schema-history.<server>).' },
  'heartbeat.interval.ms': { type: 'int', default: 10000, min: 100, doc: 'How often the stored position is advanced while no captured table changes.' },
  'max.batch.size': { type: 'int', default: 2048, min: 1, doc: 'Change events produced per request.' },
  'reconnect.backoff.ms': { type: 'int', default: 500, min: 1, doc: 'First wait before reconnecting to the source; doubles up to reconnect.backoff.max.ms.' },
  'reconnect.backoff.max.ms': { type: 'int', default: 30000, min: 1, doc: 'Longest wait between reconnection attempts.' },
  'status.port': { type: 'int', default: 8083, min: 0, max: 65535, doc: 'HTTP port for /status and /metrics (8083, Kafka Connect\'s REST port; 0 picks a free one, logged at start).' },
} satisfies SectionSchema;

export type SnapshotMode = 'initial' | 'when_needed' | 'never' | 'schema_only';

export interface SourceAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface CdcConfig {
  source: SourceAddress;
  serverName: string;
  serverId: number;
  bootstrapServers: string[];
  snapshotMode: SnapshotMode;
  snapshotFetchSize: number;
  databaseInclude: string[];
  databaseExclude: string[];
  tableInclude: string[];
  tableExclude: string[];
  columnExclude: string[];
  columnMask: string[];
  messageKeyColumns: Map<string, string[]>;
  offsetsTopic: string;
  exactlyOnce: boolean;
  historyTopic: string;
  heartbeatIntervalMs: number;
  maxBatchSize: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  statusPort: number;
}

export function parseSourceUrl(text: string): SourceAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`cdc.mysql '${text}' is not a URL; write mysql://USER:PASS@HOST:PORT`);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new ConfigError(`cdc.mysql must start with mysql://, got '${url.protocol}'; write mysql://USER:PASS@HOST:PORT`);
  }
  if (!url.username) throw new ConfigError('cdc.mysql names no user; write mysql://USER:PASS@HOST:PORT');
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

function parseKeyColumns(entries: string[]): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const entry of entries) {
    const [table, ...columns] = entry.split(':');
    if (!table || !table.includes('.') || columns.length === 0) {
      throw new ConfigError(`cdc.message.key.columns entry '${entry}' must read db.table:col1[:col2...]`);
    }
    keys.set(table, columns);
  }
  return keys;
}

export function cdcConfigFrom(values: SectionValues): CdcConfig {
  if (values.mysql === null) throw new ConfigError('cdc.mysql is not set; pass --mysql mysql://USER:PASS@HOST:PORT');
  if (values['server.name'] === null) throw new ConfigError('cdc.server.name is not set; pass --server-name NAME (the topic prefix)');
  const serverName = String(values['server.name']);
  if (!/^[A-Za-z0-9_-]+$/.test(serverName)) {
    throw new ConfigError(`cdc.server.name '${serverName}' may hold only letters, digits, '_' and '-' (it prefixes topic names)`);
  }
  const list = (key: string) => values[key] as string[];
  return {
    source: parseSourceUrl(String(values.mysql)),
    serverName,
    serverId: values['server.id'] as number,
    bootstrapServers: String(values['bootstrap.servers']).split(',').map((s) => s.trim()).filter(Boolean),
    snapshotMode: values['snapshot.mode'] as SnapshotMode,
    snapshotFetchSize: values['snapshot.fetch.size'] as number,
    databaseInclude: list('database.include.list'),
    databaseExclude: list('database.exclude.list'),
    tableInclude: list('table.include.list'),
    tableExclude: list('table.exclude.list'),
    columnExclude: list('column.exclude.list'),
    columnMask: list('column.mask.list'),
    messageKeyColumns: parseKeyColumns(list('message.key.columns')),
    offsetsTopic: String(values['offsets.topic']),
    exactlyOnce: values['exactly.once'] as boolean,
    historyTopic: values['schema.history.topic'] === null ? `schema-history.${serverName}` : String(values['schema.history.topic']),
    heartbeatIntervalMs: values['heartbeat.interval.ms'] as number,
    maxBatchSize: values['max.batch.size'] as number,
    reconnectBackoffMs: values['reconnect.backoff.ms'] as number,
    reconnectBackoffMaxMs: values['reconnect.backoff.max.ms'] as number,
    statusPort: values['status.port'] as number,
  };
}

/** The cdc section resolved from flags, environment, file and defaults. */
export function loadCdcSection(sources: { file?: string | undefined; flags?: Record<string, unknown> }): SectionValues {
  return loadSection('cdc', cdcSchema, sources);
}
