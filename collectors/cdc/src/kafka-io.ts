import { Admin, Consumer, Producer, ProduceAcks } from '@platformatic/kafka';
import { platformaticSecurityOptions } from '@tributary/common/kafka';

const MAX_REQUEST_BYTES = 512 * 1024;
const CONTROL_BATCH = 0x20;

/** One record to produce: key and value already serialised (null value = tombstone). */
export interface OutRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface StoredRecord {
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * The connector's only way to the broker: the Kafka protocol through @platformatic/kafka, so the
 * same connector runs against Apache Kafka.
 */
export class KafkaIo {
  private readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  private readonly admin: Admin;
  private readonly reader: Consumer<Buffer, Buffer, Buffer, Buffer>;
  private readonly knownTopics = new Set<string>();
  /** Sends run one after another: a transactional producer has one transaction at a time. */
  private sending: Promise<void> = Promise.resolve();

  /** With a transactional id every send() is one transaction: all of its records, or none. */
  constructor(bootstrap: string[], clientId: string, private readonly transactionalId: string | null = null) {
    const base = { clientId, bootstrapBrokers: bootstrap, retries: 10, retryDelay: 250, timeout: 15_000, ...platformaticSecurityOptions() };
    // acks=all and idempotent, with one request in flight at a time (send() is awaited), which
    // keeps order: a retried request is written once.
    this.producer = new Producer({ ...base, acks: ProduceAcks.ALL, idempotent: true, autocreateTopics: true, ...(transactionalId ? { transactionalId } : {}) });
    this.admin = new Admin(base);
    this.reader = new Consumer({ ...base, groupId: `${clientId}-reader` });
  }

  /**
   * Produces in order and resolves when the broker has acknowledged everything. The client puts a
   * whole send() into one record batch per partition, so sends are cut well below the broker's
   * default max.message.bytes (1 MiB).
   */
  async send(records: OutRecord[]): Promise<void> {
    const run = this.sending.then(() => (this.transactionalId ? this.sendInTransaction(records) : this.sendChunks(records, (messages) => this.producer.send({ messages }))));
    this.sending = run.catch(() => undefined);
    return run;
  }

  private async sendInTransaction(records: OutRecord[]): Promise<void> {
    let transaction: Awaited<ReturnType<typeof this.producer.beginTransaction>>;
    try {
      transaction = await this.producer.beginTransaction();
    } catch (error) {
      // The client keeps a transaction that failed to start as its current one; drop it so the retry can begin anew.
      await this.producer.transaction?.cancel().catch(() => undefined);
      throw error;
    }
    try {
      await this.sendChunks(records, (messages) => transaction.send({ messages }));
      await transaction.commit();
    } catch (error) {
      if (!transaction.completed) await transaction.abort().catch(() => transaction.cancel().catch(() => undefined));
      throw error;
    }
  }

  private async sendChunks(records: OutRecord[], send: (messages: never) => Promise<unknown>): Promise<void> {
    let start = 0;
    while (start < records.length) {
      let end = start;
      let bytes = 0;
      while (end < records.length && (end === start || bytes < MAX_REQUEST_BYTES)) {
        bytes += (records[end]!.key?.length ?? 0) + (records[end]!.value?.length ?? 0) + 32;
        end++;
      }
      await send(records.slice(start, end).map((r) => ({ topic: r.topic, key: r.key ?? undefined, value: r.value ?? undefined, partition: 0 })) as never);
      start = end;
    }
  }

  /** Creates the topic if missing; compacted topics keep the last value per key forever. */
  async ensureTopic(topic: string, compacted: boolean): Promise<void> {
    if (this.knownTopics.has(topic)) return;
    const existing = await this.admin.listTopics();
    if (!existing.includes(topic)) {
      try {
        await this.admin.createTopics({
          topics: [topic],
          partitions: 1,
          replicas: 1,
          configs: compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [{ name: 'retention.ms', value: '-1' }],
        });
      } catch (error) {
        if (!/already exists/i.test(String((error as Error & { errors?: unknown[] }).errors ?? (error as Error).message))) throw error;
      }
    }
    this.knownTopics.add(topic);
  }

  /** Every record of partition 0 from the beginning up to the end at the time of the call. */
  async readAll(topic: string): Promise<StoredRecord[]> {
    const metadata = await this.reader.metadata({ topics: [topic], forceUpdate: true });
    const info = metadata.topics.get(topic);
    if (!info) return [];
    const offsets = await this.reader.listOffsets({ topics: [topic], timestamp: -1n });
    const end = offsets.get(topic)?.[0] ?? 0n;
    const out: StoredRecord[] = [];
    let next = 0n;
    while (next < end) {
      const response = await this.reader.fetch({
        node: info.partitions[0]!.leader,
        maxWaitTime: 100,
        topics: [{ topicId: info.id, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: next, lastFetchedEpoch: -1, partitionMaxBytes: 8 * 1024 * 1024 }] }],
      });
      const partition = response.responses[0]?.partitions[0];
      if (partition && partition.errorCode !== 0) throw new Error(`fetching ${topic} failed with Kafka error code ${partition.errorCode}`);
      const before = next;
      for (const batch of partition?.records ?? []) {
        // Transaction markers carry no data (read_committed fetches already dropped aborted records).
        const records = (batch.attributes & CONTROL_BATCH) !== 0 ? [] : batch.records;
        for (const record of records) {
          const offset = batch.firstOffset + BigInt(record.offsetDelta);
          if (offset < next || offset >= end) continue;
          out.push({ offset, key: record.key, value: record.value });
        }
        next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n > next ? batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n : next;
      }
      // Compaction leaves offset gaps; the log start may also have moved past `next`.
      if (next === before) next = partition && partition.logStartOffset > next ? partition.logStartOffset : next + 1n;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.close(), this.admin.close(), this.reader.close(true)]);
  }
}
