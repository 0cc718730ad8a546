import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '@tributary/testkit';

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string;
}

/**
 * Reads topics with kafkajs, a client independent of the collector's, from the beginning into
 * memory; tests poll `records` until what they expect is there.
 */
export async function readTopics(bootstrap: string, topics: string[]) {
  const kafka = new Kafka({ clientId: 'tracking-test-reader', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const existing = await admin.listTopics();
  const missing = topics.filter((t) => !existing.includes(t));
  if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 1 })) });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `tracking-test-${process.pid}-${Date.now()}`, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const records: ReadRecord[] = [];
  let assigned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    assigned = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      records.push({ topic, partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? '' });
    },
  });
  await waitFor(() => assigned, { what: 'test reader to join its group', timeoutMs: 30_000 });
  return {
    records,
    of(topic: string): ReadRecord[] {
      return records.filter((r) => r.topic === topic);
    },
    parsed<T = Record<string, unknown>>(topic: string): T[] {
      return records.filter((r) => r.topic === topic).map((r) => JSON.parse(r.value) as T);
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
