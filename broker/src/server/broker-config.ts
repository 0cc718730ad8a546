import type { SectionSchema, SectionValues } from '@tributary/common';
import { securityConfigFrom, securitySchema, type SecurityConfig } from '../security/security-config.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The broker section of the configuration. Keys are Kafka's broker setting names where Kafka has
 * one, so that an operator's knowledge and existing server.properties carry over.
 */
export const brokerSchema = {
  'broker.id': { type: 'int', default: 0, min: 0, doc: 'Unique id of this broker in the cluster.' },
  port: { type: 'int', default: 9092, min: 0, max: 65535, doc: 'Kafka protocol listener port (0 picks a free port).' },
  host: { type: 'string', default: '0.0.0.0', doc: 'Address the Kafka listener binds to.' },
  'advertised.host': { type: 'string', default: '127.0.0.1', doc: 'Host name clients are told to connect to (Metadata responses). Set it to a name remote clients can resolve.' },
  'admin.port': { type: 'int', default: 9644, min: 0, max: 65535, doc: 'HTTP port for /health, /metrics and the console.' },
  'admin.host': { type: 'string', default: '0.0.0.0', doc: 'Address the admin HTTP server binds to.' },
  'data.dir': { type: 'string', default: './data', doc: 'Directory holding the partition logs and broker metadata.' },
  'zookeeper.connect': { type: 'string', default: null, doc: 'ZooKeeper HOST:PORT[/chroot]; unset runs on the local metadata store (single node).' },
  'cluster.id': { type: 'string', default: null, doc: 'Cluster id; generated and stored in meta.properties on first start when unset.' },
  'num.partitions': { type: 'int', default: 1, min: 1, doc: 'Partitions of auto-created topics and of CreateTopics requests that ask for the default (-1).' },
  'default.replication.factor': { type: 'int', default: 1, min: 1, doc: 'Replication factor of auto-created topics.' },
  'auto.create.topics.enable': { type: 'boolean', default: true, doc: 'Create a topic when a client asks Metadata for one that does not exist.' },
  'delete.topic.enable': { type: 'boolean', default: true, doc: 'Allow DeleteTopics.' },
  'log.segment.bytes': { type: 'int', default: 1073741824, min: 14, doc: 'Default segment.bytes: roll a new segment after this many bytes.' },
  'log.roll.ms': { type: 'int', default: 7 * DAY_MS, min: 1, doc: 'Default segment.ms: roll a new segment after this age.' },
  'log.retention.ms': { type: 'int', default: 7 * DAY_MS, min: -1, doc: 'Default retention.ms (-1: keep forever).' },
  'log.retention.bytes': { type: 'int', default: -1, min: -1, doc: 'Default retention.bytes per partition (-1: unlimited).' },
  'log.retention.check.interval.ms': { type: 'int', default: 300000, min: 1, doc: 'How often retention is enforced.' },
  'log.index.interval.bytes': { type: 'int', default: 4096, min: 0, doc: 'Default index.interval.bytes: bytes between offset index entries.' },
  'log.flush.interval.messages': { type: 'int', default: 9223372036854775807, min: 1, doc: 'Default flush.messages: fsync after this many messages (Long.MAX: leave it to the OS).' },
  'log.flush.interval.ms': { type: 'int', default: 9223372036854775807, min: 0, doc: 'Default flush.ms: fsync at least this often.' },
  'log.message.timestamp.type': { type: 'string', default: 'CreateTime', choices: ['CreateTime', 'LogAppendTime'], doc: 'Default message.timestamp.type.' },
  'log.cleanup.policy': { type: 'string', default: 'delete', choices: ['delete', 'compact', 'compact,delete', 'delete,compact'], doc: 'Default cleanup.policy.' },
  'message.max.bytes': { type: 'int', default: 1048588, min: 0, doc: 'Default max.message.bytes: largest record batch accepted.' },
  'socket.request.max.bytes': { type: 'int', default: 104857600, min: 1, doc: 'Largest request frame; larger frames close the connection before any allocation.' },
  'connections.max.idle.ms': { type: 'int', default: 600000, min: 1, doc: 'Idle connections are closed after this long.' },
  'queued.max.requests': { type: 'int', default: 500, min: 1, doc: 'Requests in flight per connection before the broker stops reading from it.' },
  'queued.max.response.bytes': { type: 'int', default: 33554432, min: 1024, doc: 'Unsent response bytes per connection before the broker stops reading from it (backpressure).' },
  'offsets.topic.num.partitions': { type: 'int', default: 50, min: 1, doc: 'Partitions of __consumer_offsets (fixed once the topic exists).' },
  'offsets.topic.replication.factor': { type: 'int', default: 1, min: 1, doc: 'Replication factor of __consumer_offsets.' },
  'offsets.retention.minutes': { type: 'int', default: 10080, min: 1, doc: 'Committed offsets of empty groups expire after this long.' },
  'group.initial.rebalance.delay.ms': { type: 'int', default: 3000, min: 0, doc: 'Time the first rebalance of a new group waits for more members.' },
  'group.min.session.timeout.ms': { type: 'int', default: 6000, min: 0, doc: 'Smallest session.timeout.ms a consumer may ask for.' },
  'group.max.session.timeout.ms': { type: 'int', default: 1800000, min: 0, doc: 'Largest session.timeout.ms a consumer may ask for.' },
  'shutdown.timeout.ms': { type: 'int', default: 10000, min: 0, doc: 'How long a graceful shutdown waits for in-flight requests.' },
  'console.enable': { type: 'boolean', default: true, doc: 'Serve the read-only web console (/ and /api/console/...) on the admin port.' },
  'console.collectors': { type: 'list', default: [], doc: 'Status endpoints the console shows, as NAME=URL entries (e.g. tracking=http://127.0.0.1:8080/health); credentials in URLs are never displayed.' },
  ...securitySchema,
} satisfies SectionSchema;

export type BrokerSettingKey = keyof typeof brokerSchema;

/** The resolved broker settings, as plain values. */
export interface BrokerConfig {
  brokerId: number;
  port: number;
  host: string;
  advertisedHost: string;
  adminPort: number;
  adminHost: string;
  dataDir: string;
  zookeeperConnect: string | null;
  clusterId: string | null;
  numPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopics: boolean;
  deleteTopicEnable: boolean;
  socketRequestMaxBytes: number;
  connectionsMaxIdleMs: number;
  queuedMaxRequests: number;
  queuedMaxResponseBytes: number;
  retentionCheckIntervalMs: number;
  offsetsTopicNumPartitions: number;
  offsetsTopicReplicationFactor: number;
  offsetsRetentionMs: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** Serve the web console on the admin port. */
  consoleEnable: boolean;
  /** NAME=URL entries of collector status endpoints the console fetches. */
  consoleCollectors: string[];
  /** Listeners, TLS, SASL, ACLs, quotas and connection limits (security/security-config.ts). */
  security: SecurityConfig;
  /** Topic-level defaults under Kafka's topic config names (segment.bytes, retention.ms, ...). */
  topicDefaults: Record<string, string>;
}

export function brokerConfigFrom(values: SectionValues): BrokerConfig {
  const num = (key: BrokerSettingKey) => values[key] as number;
  const str = (key: BrokerSettingKey) => values[key] as string;
  const topicNumber = (key: BrokerSettingKey) => {
    const value = num(key);
    return Number.isFinite(value) ? String(value) : '9223372036854775807';
  };
  return {
    brokerId: num('broker.id'),
    port: num('port'),
    host: str('host'),
    advertisedHost: str('advertised.host'),
    adminPort: num('admin.port'),
    adminHost: str('admin.host'),
    dataDir: str('data.dir'),
    zookeeperConnect: (values['zookeeper.connect'] as string | null) ?? null,
    clusterId: (values['cluster.id'] as string | null) ?? null,
    numPartitions: num('num.partitions'),
    defaultReplicationFactor: num('default.replication.factor'),
    autoCreateTopics: values['auto.create.topics.enable'] as boolean,
    deleteTopicEnable: values['delete.topic.enable'] as boolean,
    socketRequestMaxBytes: num('socket.request.max.bytes'),
    connectionsMaxIdleMs: num('connections.max.idle.ms'),
    queuedMaxRequests: num('queued.max.requests'),
    queuedMaxResponseBytes: num('queued.max.response.bytes'),
    retentionCheckIntervalMs: num('log.retention.check.interval.ms'),
    offsetsTopicNumPartitions: num('offsets.topic.num.partitions'),
    offsetsTopicReplicationFactor: num('offsets.topic.replication.factor'),
    offsetsRetentionMs: num('offsets.retention.minutes') * 60_000,
    groupInitialRebalanceDelayMs: num('group.initial.rebalance.delay.ms'),
    groupMinSessionTimeoutMs: num('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: num('group.max.session.timeout.ms'),
    shutdownTimeoutMs: num('shutdown.timeout.ms'),
    consoleEnable: values['console.enable'] as boolean,
    consoleCollectors: values['console.collectors'] as string[],
    security: securityConfigFrom(values),
    topicDefaults: {
      'segment.bytes': topicNumber('log.segment.bytes'),
      'segment.ms': topicNumber('log.roll.ms'),
      'retention.ms': topicNumber('log.retention.ms'),
      'retention.bytes': topicNumber('log.retention.bytes'),
      'index.interval.bytes': topicNumber('log.index.interval.bytes'),
      'flush.messages': topicNumber('log.flush.interval.messages'),
      'flush.ms': topicNumber('log.flush.interval.ms'),
      'message.timestamp.type': str('log.message.timestamp.type'),
      'cleanup.policy': str('log.cleanup.policy'),
      'max.message.bytes': topicNumber('message.max.bytes'),
    },
  };
}
