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
  'zookeeper.session.timeout.ms': { type: 'int', default: 18000, min: 1000, doc: 'ZooKeeper session timeout: how long after a broker dies the controller notices it and moves its leaders.' },
  'zookeeper.connection.timeout.ms': { type: 'int', default: 18000, min: 100, doc: 'How long start-up waits to reach ZooKeeper before failing.' },
  'broker.rack': { type: 'string', default: null, doc: 'Rack (or zone) of this broker; with racks on every broker, replicas of a partition go to different racks.' },
  'replica.lag.time.max.ms': { type: 'int', default: 30000, min: 100, doc: 'A follower that has not caught up with the leader for this long leaves the ISR.' },
  'replica.fetch.wait.max.ms': { type: 'int', default: 500, min: 0, doc: 'Longest time a follower fetch waits at the leader for new data.' },
  'replica.fetch.max.bytes': { type: 'int', default: 1048576, min: 1024, doc: 'Bytes a follower asks for per partition in one fetch.' },
  'replica.fetch.response.max.bytes': { type: 'int', default: 10485760, min: 1024, doc: 'Bytes a follower asks for in one fetch, all partitions together.' },
  'min.insync.replicas': { type: 'int', default: 1, min: 1, doc: 'Default min.insync.replicas: with acks=all, a write fails with NOT_ENOUGH_REPLICAS when fewer replicas are in sync.' },
  'unclean.leader.election.enable': { type: 'boolean', default: false, doc: 'Default unclean.leader.election.enable: let an out-of-sync replica lead when no in-sync one is alive (availability over durability).' },
  'auto.leader.rebalance.enable': { type: 'boolean', default: true, doc: 'The controller moves leadership back to preferred leaders (the first replica) periodically.' },
  'leader.imbalance.check.interval.seconds': { type: 'int', default: 300, min: 1, doc: 'How often the controller checks for partitions not led by their preferred leader.' },
  'controlled.shutdown.enable': { type: 'boolean', default: true, doc: 'On a graceful stop, ask the controller to move leadership off this broker first.' },
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
  'transaction.state.log.num.partitions': { type: 'int', default: 50, min: 1, doc: 'Partitions of __transaction_state (fixed once the topic exists).' },
  'transaction.state.log.replication.factor': { type: 'int', default: 1, min: 1, doc: 'Replication factor of __transaction_state.' },
  'transaction.state.log.min.isr': { type: 'int', default: 1, min: 1, doc: 'min.insync.replicas of __transaction_state.' },
  'transaction.max.timeout.ms': { type: 'int', default: 900000, min: 1, doc: 'Largest transaction.timeout.ms a producer may ask for (INVALID_TRANSACTION_TIMEOUT above it).' },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': { type: 'int', default: 10000, min: 1, doc: 'How often the transaction coordinator aborts transactions open longer than their timeout.' },
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
  zookeeperSessionTimeoutMs: number;
  zookeeperConnectionTimeoutMs: number;
  rack: string | null;
  replicaLagTimeMaxMs: number;
  replicaFetchWaitMaxMs: number;
  replicaFetchMaxBytes: number;
  replicaFetchResponseMaxBytes: number;
  uncleanLeaderElection: boolean;
  autoLeaderRebalance: boolean;
  leaderImbalanceCheckIntervalMs: number;
  controlledShutdown: boolean;
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
  transactionStateLogNumPartitions: number;
  transactionStateLogReplicationFactor: number;
  transactionStateLogMinIsr: number;
  transactionMaxTimeoutMs: number;
  transactionAbortTimedOutIntervalMs: number;
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
    zookeeperSessionTimeoutMs: num('zookeeper.session.timeout.ms'),
    zookeeperConnectionTimeoutMs: num('zookeeper.connection.timeout.ms'),
    rack: (values['broker.rack'] as string | null) ?? null,
    replicaLagTimeMaxMs: num('replica.lag.time.max.ms'),
    replicaFetchWaitMaxMs: num('replica.fetch.wait.max.ms'),
    replicaFetchMaxBytes: num('replica.fetch.max.bytes'),
    replicaFetchResponseMaxBytes: num('replica.fetch.response.max.bytes'),
    uncleanLeaderElection: values['unclean.leader.election.enable'] as boolean,
    autoLeaderRebalance: values['auto.leader.rebalance.enable'] as boolean,
    leaderImbalanceCheckIntervalMs: num('leader.imbalance.check.interval.seconds') * 1000,
    controlledShutdown: values['controlled.shutdown.enable'] as boolean,
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
    transactionStateLogNumPartitions: num('transaction.state.log.num.partitions'),
    transactionStateLogReplicationFactor: num('transaction.state.log.replication.factor'),
    transactionStateLogMinIsr: num('transaction.state.log.min.isr'),
    transactionMaxTimeoutMs: num('transaction.max.timeout.ms'),
    transactionAbortTimedOutIntervalMs: num('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
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
      'min.insync.replicas': topicNumber('min.insync.replicas'),
      'unclean.leader.election.enable': String(values['unclean.leader.election.enable']),
    },
  };
}
