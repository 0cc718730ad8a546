import kafkajs from 'kafkajs';
import { waitFor } from './wait.ts';

const { Kafka, logLevel } = kafkajs;

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string;
}

/**
 * Reads topics with kafkajs, a client independent of the project's own, from the beginning into
 * memory; tests poll `records`. `drained` tells when everything the topics held at that moment
 * has been read, so a test can count records without guessing how long to wait. Missing topics
 * are created with `partitions` partitions.
 */
export async function readTopics(bootstrap: string, topics: string[], partitions = 1) {
  const kafka = new Kafka({ clientId: 'test-reader', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const existing = await admin.listTopics();
  const missing = topics.filter((t) => !existing.includes(t));
  if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: partitions })) });
  const consumer = kafka.consumer({ groupId: `test-reader-${process.pid}-${Date.now()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxBytes: 50 * 1024 * 1024, maxWaitTimeInMs: 100 });
  const records: ReadRecord[] = [];
  const next = new Map<string, number>();
  let assigned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    assigned = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      records.push({ topic, partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? '' });
      next.set(`${topic}:${partition}`, Number(message.offset) + 1);
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
    /** Resolves once every record the topics hold now has been read. */
    async drained(timeoutMs = 30_000): Promise<void> {
      const ends = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })));
      await waitFor(
        () => ends.every(({ topic, offsets }) => offsets.every((p) => Number(p.high) === 0 || (next.get(`${topic}:${p.partition}`) ?? 0) >= Number(p.high))),
        { what: `reading ${topics.join(', ')} to their end`, timeoutMs },
      );
    },
    async stop() {
      await consumer.disconnect();
      await admin.disconnect();
    },
  };
}
