import { Kafka, logLevel, type Admin } from 'kafkajs';
import { waitFor, type ClusterInstance } from '@tributary/testkit';

export function clusterClient(cluster: ClusterInstance, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: cluster.bootstrap().split(','),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 40 },
    connectionTimeout: 1000,
    requestTimeout: 15_000,
  });
}

/**
 * Stops the cluster and keeps this process alive meanwhile: testkit's stop() holds nothing open
 * once its SIGKILL timer has fired, and a broker asking an already stopped controller for a
 * controlled shutdown can take that long, so the test process would end with the stop pending.
 */
export async function stopCluster(cluster: ClusterInstance | undefined): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    await cluster?.stop();
  } finally {
    clearInterval(keepAlive);
  }
}

export interface PartitionLeadership {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export async function leadership(admin: Admin, topic: string): Promise<PartitionLeadership[]> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics[0]!.partitions
    .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: [...p.replicas].sort(), isr: [...p.isr].sort() }))
    .sort((a, b) => a.partition - b.partition);
}

/** Polls the cluster's metadata (through a live broker) until `check` holds. */
export async function waitForLeadership(admin: Admin, topic: string, what: string, check: (partitions: PartitionLeadership[]) => boolean, timeoutMs = 30_000): Promise<PartitionLeadership[]> {
  let last: PartitionLeadership[] = [];
  await waitFor(
    async () => {
      try {
        last = await leadership(admin, topic);
        return check(last);
      } catch {
        return false;
      }
    },
    { what: `${what} (last seen: ${JSON.stringify(last)})`, timeoutMs, intervalMs: 200 },
  );
  return last;
}

export interface StoredRecord {
  partition: number;
  offset: number;
  value: string;
}

/** Reads every partition of a topic from offset 0 to its end with a group-less kafkajs consumer. */
export async function readAll(kafka: Kafka, topic: string): Promise<StoredRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  await admin.disconnect();
  const records: StoredRecord[] = [];
  const consumer = kafka.consumer({ groupId: `read-all-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Map<number, number>();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      records.push({ partition, offset: Number(message.offset), value: message.value!.toString() });
      seen.set(partition, Number(message.offset) + 1);
    },
  });
  await waitFor(async () => [...ends].every(([partition, end]) => end === 0 || (seen.get(partition) ?? 0) >= end), { what: `reading ${topic} to its end`, timeoutMs: 60_000 });
  await consumer.disconnect();
  return records;
}
