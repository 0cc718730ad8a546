import { Kafka, logLevel } from 'kafkajs';
import { createLogger } from '@tributary/common';
import { CdcConnector, cdcConfigFrom, cdcSchema, loadCdcSection, type CdcConfig } from '../../src/index.ts';

export interface TopicRecord {
  offset: number;
  key: string | null;
  value: string | null;
}

/** Reads a topic from the beginning to its current end with kafkajs, an independent client. */
export async function readTopic(bootstrap: string, topic: string): Promise<TopicRecord[]> {
  const kafka = new Kafka({ clientId: 'cdc-test-reader', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) return [];
    const [end] = await admin.fetchTopicOffsets(topic);
    const high = Number(end!.high);
    if (high === 0) return [];
    const consumer = kafka.consumer({ groupId: `cdc-test-${Math.random().toString(36).slice(2)}` });
    await consumer.connect();
    const out: TopicRecord[] = [];
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      let resolveDone!: () => void;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      await consumer.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            if (Number(message.offset) >= high) continue;
            out.push({ offset: Number(message.offset), key: message.key?.toString('utf8') ?? null, value: message.value?.toString('utf8') ?? null });
          }
          if (Number(batch.lastOffset()) + 1 >= high) resolveDone();
        },
      });
      await done;
    } finally {
      await consumer.disconnect();
    }
    return out.sort((a, b) => a.offset - b.offset);
  } finally {
    await admin.disconnect();
  }
}

/** One connector among others on a shared source and broker: its own names, replication id and offsets topic. */
export interface ConnectorMode {
  server: string;
  /** Replication client id: two connectors with one id would throw each other off the source. */
  serverId: number;
  database: string;
  exactlyOnce: boolean;
}

export function modeSettings(mode: ConnectorMode, mysql: string, bootstrap: string, maxBatchSize: number): Record<string, unknown> {
  return {
    mysql,
    'server.name': mode.server,
    'server.id': mode.serverId,
    'database.include.list': mode.database,
    'offsets.topic': `${mode.server}-offsets`,
    'exactly.once': mode.exactlyOnce,
    'bootstrap.servers': bootstrap,
    'status.port': 0,
    'max.batch.size': maxBatchSize,
  };
}

export function configFor(values: Record<string, unknown>): CdcConfig {
  return cdcConfigFrom(loadCdcSection({ flags: values }));
}

export async function startConnector(values: Record<string, unknown>): Promise<CdcConnector> {
  const connector = new CdcConnector(configFor(values), createLogger('cdc-test', { level: process.env.TRIBUTARY_LOG_LEVEL ?? 'warn' }));
  await connector.start();
  return connector;
}

export { cdcSchema };
