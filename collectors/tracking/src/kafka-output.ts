import { createProducer } from '@tributary/common/kafka';
import type { SpoolRecord } from './spool.ts';

/** Where accepted records go: the broker in production, anything with the same contract in tests. */
export interface RecordSink {
  /** Resolves once every record is acknowledged by all in-sync replicas. */
  send(records: SpoolRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * An idempotent acks=all producer. Topics are created on first use where the cluster allows it
 * (auto.create.topics.enable), so a fresh cluster needs no set-up step. Each sink is a producer
 * of its own (its own producer id), which is what lets the forwarder replace a failed one.
 */
export function kafkaSink(bootstrapServers: string, clientId: string): RecordSink {
  const producer = createProducer({ bootstrapServers, clientId, idempotent: true, acks: 'all' });
  return {
    async send(records) {
      await producer.send({
        messages: records.map((r) => ({ topic: r.topic, key: r.key ?? undefined, value: r.value })),
        autocreateTopics: true,
      });
    },
    async close() {
      await producer.close(true);
    },
  };
}
