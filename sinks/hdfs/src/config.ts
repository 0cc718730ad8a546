import { ConfigError, type SectionSchema, type SectionValues } from '@tributary/common';
import { parseBootstrap } from '@tributary/common/kafka';

/** The `sink` section: which topics land where, how files rotate, and how they are written. */
export const sinkSchema = {
  topics: { type: 'list', default: [], doc: 'Topics to land (comma-separated on the command line).' },
  root: { type: 'string', default: 'file://./data/landed', doc: 'Where files land: file:///DIR or webhdfs://HOST:PORT[,HOST:PORT]/DIR[?user=NAME] (several namenodes fail over).' },
  'bootstrap.servers': { type: 'string', default: '127.0.0.1:9092', doc: 'Kafka bootstrap servers, HOST:PORT[,HOST:PORT].' },
  'group.id': { type: 'string', default: 'tributary-hdfs-sink', doc: 'Consumer group of the sink workers; workers with the same group share the partitions.' },
  'group.instance.id': { type: 'string', default: null, doc: 'Static membership id: a worker restarted within the session timeout gets its partitions back without a rebalance.' },
  'session.timeout.ms': { type: 'int', default: 10000, min: 1000, doc: 'How long the group waits for a silent worker before moving its partitions.' },
  'flush.size': { type: 'int', default: 100000, min: 1, doc: 'Records per topic partition after which its files are committed (Kafka Connect flush.size).' },
  'rotate.interval.ms': { type: 'int', default: 60000, min: 0, doc: 'Commit a partition\'s files when their first record is this old, so quiet topics still land (0: only flush.size and file.max.bytes).' },
  'file.max.bytes': { type: 'int', default: 134217728, min: 1024, doc: 'Commit a partition\'s files once the record bytes written to them reach this size.' },
  'max.open.files': { type: 'int', default: 24, min: 1, doc: 'Most time partitions a topic partition writes at once; one more commits its files first.' },
  'timestamp.field': { type: 'string', default: null, doc: 'Event-time field (dot path in the JSON value, ISO 8601 or epoch ms) that picks dt/hour; unset uses the record timestamp.' },
  timezone: { type: 'string', default: 'UTC', doc: 'Time zone of the dt=/hour= directories (an IANA name).' },
  compression: { type: 'string', default: 'SNAPPY', choices: ['SNAPPY', 'GZIP', 'UNCOMPRESSED'], doc: 'Parquet column compression.' },
  'row.group.size': { type: 'int', default: 10000, min: 1, doc: 'Rows per Parquet row group (the rows a file keeps in memory before writing them).' },
  'schemas.file': { type: 'string', default: null, doc: 'YAML or JSON file declaring columns for topics whose schema the sink cannot derive (see docs/hdfs-sink.md).' },
  'staging.dir': { type: 'string', default: null, doc: 'Local directory where Parquet files are built before upload to WebHDFS (default: the OS temp directory).' },
  'metrics.port': { type: 'int', default: 8084, min: 0, max: 65535, doc: 'HTTP port of /metrics and /health for `tributary sink start` (0 picks a free port).' },
  'dlq.suffix': { type: 'string', default: '.sink-dlq', doc: 'Records that cannot be written go to <topic><suffix> with the reason in a header.' },
} satisfies SectionSchema;

export type ParquetCompression = 'SNAPPY' | 'GZIP' | 'UNCOMPRESSED';

export interface SinkConfig {
  topics: string[];
  root: string;
  bootstrapServers: string;
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  flushSize: number;
  rotateIntervalMs: number;
  fileMaxBytes: number;
  maxOpenFiles: number;
  timestampField: string | null;
  timezone: string;
  compression: ParquetCompression;
  rowGroupSize: number;
  schemasFile: string | null;
  stagingDir: string | null;
  dlqSuffix: string;
  metricsPort: number;
}

export function sinkConfigFrom(values: SectionValues): SinkConfig {
  const str = (key: keyof typeof sinkSchema) => values[key] as string;
  const num = (key: keyof typeof sinkSchema) => values[key] as number;
  try {
    parseBootstrap(str('bootstrap.servers'));
  } catch (error) {
    throw new ConfigError(`sink.bootstrap.servers: ${(error as Error).message}`);
  }
  const timezone = str('timezone');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ConfigError(`sink.timezone: '${timezone}' is not a time zone; use an IANA name such as UTC or Europe/Paris`);
  }
  if (!/^(file|webhdfs):\/\//.test(str('root'))) {
    throw new ConfigError(`sink.root: '${str('root')}' must start with file:// or webhdfs://, e.g. file:///var/lib/tributary/landed`);
  }
  return {
    topics: values.topics as string[],
    root: str('root'),
    bootstrapServers: str('bootstrap.servers'),
    groupId: str('group.id'),
    groupInstanceId: values['group.instance.id'] as string | null,
    sessionTimeoutMs: num('session.timeout.ms'),
    flushSize: num('flush.size'),
    rotateIntervalMs: num('rotate.interval.ms'),
    fileMaxBytes: num('file.max.bytes'),
    maxOpenFiles: num('max.open.files'),
    timestampField: values['timestamp.field'] as string | null,
    timezone,
    compression: str('compression') as ParquetCompression,
    rowGroupSize: num('row.group.size'),
    schemasFile: values['schemas.file'] as string | null,
    stagingDir: values['staging.dir'] as string | null,
    dlqSuffix: str('dlq.suffix'),
    metricsPort: num('metrics.port'),
  };
}

/** Defaults of every setting, overridden by `overrides`: for tests and embedding. */
export function sinkConfig(overrides: Partial<SinkConfig> = {}): SinkConfig {
  const defaults = Object.fromEntries(Object.entries(sinkSchema).map(([key, spec]) => [key, spec.default])) as SectionValues;
  return { ...sinkConfigFrom(defaults), ...overrides };
}
