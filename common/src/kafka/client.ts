import { Admin, Consumer, Producer, ProduceAcks, stringDeserializers, stringSerializers, type GroupPartitionsAssigner } from '@platformatic/kafka';
import { platformaticSecurityOptions } from './security.ts';

/**
 * Tributary's defaults over @platformatic/kafka, the maintained client every collector and sink
 * uses. They speak only the Kafka protocol, so pointing bootstrapServers at Apache Kafka works.
 */
export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

/** "h1:9092,h2:9092" -> ["h1:9092", "h2:9092"], with an error that shows the expected shape. */
export function parseBootstrap(value: string | undefined | null): string[] {
  const text = (value ?? DEFAULT_BOOTSTRAP).trim();
  const servers = text.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
  if (servers.length === 0) throw new Error(`bootstrap servers '${text}' are empty: use HOST:PORT[,HOST:PORT]`);
  for (const server of servers) {
    const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(server);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new Error(`bootstrap server '${server}' is not HOST:PORT (e.g. 127.0.0.1:9092)`);
    }
  }
  return servers;
}

function servers(value: string | string[]): string[] {
  return Array.isArray(value) ? value : parseBootstrap(value);
}

/**
 * zstd is left out on purpose: @platformatic/kafka compresses it with node:zlib's zstd, which
 * Node 20 lacks ("zstd is not supported in the current Node.js version").
 */
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4';
export const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4'];

export interface ProducerSettings {
  bootstrapServers: string | string[];
  clientId: string;
  /** Default true: the broker drops a retried batch it already wrote, so retries never duplicate. */
  idempotent?: boolean;
  /** Default 'all': a record is acknowledged only once every in-sync replica has it. */
  acks?: 'all' | 1 | 0;
  /** Default 'none': collectors send small events where CPU matters more than bytes. */
  compression?: Compression;
  /**
   * Default 10 (one second apart). Bounded because platformatic's idempotent producer otherwise
   * retries forever, which turns a broker outage into a send() that never settles.
   */
  retries?: number;
  /**
   * Default true, as Kafka's own producer: the request allows it and the broker's
   * auto.create.topics.enable decides.
   */
  autocreateTopics?: boolean;
}

/**
 * A string-keyed, string-valued producer. With the defaults an acknowledged record is neither
 * lost (acks=all) nor duplicated by a retry (idempotence).
 */
export function createProducer(settings: ProducerSettings): Producer<string, string, string, string> {
  const acks = settings.acks ?? 'all';
  const idempotent = settings.idempotent ?? acks === 'all';
  // platformatic would silently turn acks back to all; refuse the contradiction instead.
  if (idempotent && acks !== 'all') throw new Error(`an idempotent producer needs acks=all, got acks=${acks}: drop idempotent or use acks 'all'`);
  return new Producer({
    clientId: settings.clientId,
    bootstrapBrokers: servers(settings.bootstrapServers),
    ...platformaticSecurityOptions(),
    serializers: stringSerializers,
    idempotent,
    acks: acks === 'all' ? ProduceAcks.ALL : acks === 1 ? ProduceAcks.LEADER : ProduceAcks.NO_RESPONSE,
    retries: settings.retries ?? 10,
    autocreateTopics: settings.autocreateTopics ?? true,
    ...(settings.compression && settings.compression !== 'none' ? { compression: settings.compression } : {}),
  });
}

export interface ConsumerSettings {
  bootstrapServers: string | string[];
  clientId: string;
  groupId: string;
  /** Default 10 s (platformatic: 60 s), so a dead member's partitions move on quickly. */
  sessionTimeoutMs?: number;
  /**
   * Default false (platformatic: true). Sinks must commit only after their data is durable, so
   * committing is the caller's act (message.commit()); pass true or an interval in ms to opt in.
   */
  autocommit?: boolean | number;
  /** A group assignor of ours, e.g. platformaticAssigner(stickyAssignor) (platformatic: round robin). */
  partitionAssigner?: GroupPartitionsAssigner;
  /** Static membership (KIP-345): a member restarted within the session timeout keeps its partitions. */
  groupInstanceId?: string | null;
}

/** A string consumer in a group that commits nothing unless told to. */
export function createConsumer(settings: ConsumerSettings): Consumer<string, string, string, string> {
  return new Consumer({
    clientId: settings.clientId,
    groupId: settings.groupId,
    bootstrapBrokers: servers(settings.bootstrapServers),
    ...platformaticSecurityOptions(),
    deserializers: stringDeserializers,
    autocommit: settings.autocommit ?? false,
    sessionTimeout: settings.sessionTimeoutMs ?? 10_000,
    // A tenth of the session: a member notices a rebalance within a second.
    heartbeatInterval: Math.max(100, Math.floor((settings.sessionTimeoutMs ?? 10_000) / 10)),
    ...(settings.partitionAssigner ? { partitionAssigner: settings.partitionAssigner } : {}),
    ...(settings.groupInstanceId ? { groupInstanceId: settings.groupInstanceId } : {}),
  });
}

export interface AdminSettings {
  bootstrapServers: string | string[];
  clientId: string;
}

/** An admin client; platformatic sends CreateTopics/DeleteTopics to the controller Metadata names. */
export function createAdmin(settings: AdminSettings): Admin {
  return new Admin({ clientId: settings.clientId, bootstrapBrokers: servers(settings.bootstrapServers), ...platformaticSecurityOptions() });
}
