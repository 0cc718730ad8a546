import { after, before, describe, test } from 'node:test';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { keyOf, timestampOf, valueOf, verifyConsumed, type ConsumedRecord } from './expected-records.ts';

// kafkajs is CommonJS; its named exports are only reachable through the default import.
const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;

const COUNT = 100_000;
const BATCH = 1000;

// kafkajs ships only gzip; the others are plugins. Kafka's LZ4 is the LZ4 frame format.
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder: { buffer: Buffer }) => compressFrameSync(encoder.buffer),
  decompress: async (buffer: Buffer) => decompressFrameSync(buffer),
});

const CODECS = [
  ['none', CompressionTypes.None],
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
] as const;

describe('kafkajs 2.2 against the broker', () => {
  let broker: BrokerInstance;
  let kafka: InstanceType<typeof Kafka>;
  before(async () => {
    broker = await startBroker();
    kafka = new Kafka({ clientId: 'compat-kafkajs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  });
  after(async () => broker?.stop());

  for (const [name, compression] of CODECS) {
    test(`idempotent acks=all produce of ${COUNT} keyed records with headers (${name}), consumed back exactly by a group`, async () => {
      const topic = `compat-kafkajs-${name}`;
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await admin.disconnect();

      const base = Date.now() - 3_600_000;
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      for (let start = 0; start < COUNT; start += BATCH) {
        const messages = [];
        for (let i = start; i < Math.min(COUNT, start + BATCH); i++) {
          messages.push({ key: keyOf(i), value: valueOf(i), timestamp: String(timestampOf(base, i)), headers: { idx: String(i), client: 'kafkajs' } });
        }
        await producer.send({ topic, acks: -1, compression, messages });
      }
      await producer.disconnect();

      const records: ConsumedRecord[] = [];
      const consumer = kafka.consumer({ groupId: `compat-kafkajs-${name}`, sessionTimeout: 10_000 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      try {
        await consumer.run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const headers: Record<string, string> = {};
              for (const [key, value] of Object.entries(message.headers ?? {})) headers[key] = String(value);
              records.push({
                partition: batch.partition,
                offset: Number(message.offset),
                key: message.key!.toString(),
                value: message.value!.toString(),
                headers,
                timestamp: Number(message.timestamp),
              });
            }
          },
        });
        await waitFor(() => records.length >= COUNT, { what: `${COUNT} records consumed by kafkajs`, timeoutMs: 120_000, intervalMs: 100 });
      } finally {
        await consumer.disconnect();
      }
      verifyConsumed(records, COUNT, { baseTimestamp: base, client: 'kafkajs' });
    });
  }
});
