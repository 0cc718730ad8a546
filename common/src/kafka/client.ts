import { Admin, Consumer, Producer, ProduceAcks, stringDeserializers, stringSerializers, type GroupPartitionsAssigner } from '@platformatic/kafka';

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

export interface ProducerSettings {
  bootstrapServers: string | string[];
  clientId: string;
  /** Idempotence on by default: a retried batch is never written twice. */
  idempotent?: boolean;
  acks?: 'all' | 1 | 0;
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
}

function servers(value: string | string[]): string[] {
  return Array.isArray(value) ? value : parseBootstrap(value);
}

/**
 * A string-keyed, string-valued producer with acks=all and idempotence: the settings under which
 * an acknowledged event is never lost nor duplicated by a retry.
 */
export function createProducer(settings: ProducerSettings): Producer<string, string, string, string> {
  const acks = settings.acks ?? 'all';
  return new Producer({
    clientId: settings.clientId,
    bootstrapBrokers: servers(settings.bootstrapServers),
    serializers: stringSerializers,
    idempotent: settings.idempotent ?? true,
    acks: acks === 'all' ? ProduceAcks.ALL : acks === 1 ? ProduceAcks.LEADER : ProduceAcks.NO_RESPONSE,
    ...(settings.compression && settings.compression !== 'none' ? { compression: settings.compression } : {}),
  });
}

export interface ConsumerSettings {
  bootstrapServers: string | string[];
  clientId: string;
  groupId: string;
  sessionTimeoutMs?: number;
  /** A group assignor of ours, e.g. stickyAssignor (platformatic's default is round robin). */
  partitionAssigner?: GroupPartitionsAssigner;
}

/**
 * A string consumer in a group. Auto-commit stays with the caller (consume({ autocommit }))
 * because sinks must commit only after their data is durable.
 */
export function createConsumer(settings: ConsumerSettings): Consumer<string, string, string, string> {
  return new Consumer({
    clientId: settings.clientId,
    groupId: settings.groupId,
    bootstrapBrokers: servers(settings.bootstrapServers),
    deserializers: stringDeserializers,
    sessionTimeout: settings.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: 1000,
    ...(settings.partitionAssigner ? { partitionAssigner: settings.partitionAssigner } : {}),
  });
}

export function createAdmin(settings: { bootstrapServers: string | string[]; clientId: string }): Admin {
  return new Admin({ clientId: settings.clientId, bootstrapBrokers: servers(settings.bootstrapServers) });
}
