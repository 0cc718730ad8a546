import { createProducer } from '@tributary/common/kafka';
import type { SinkRecord } from './schema/row-mapper.ts';

/**
 * Records the sink cannot land, sent to `<topic><suffix>` unchanged with Kafka Connect's error
 * headers, so the same tooling reads them. Delivery is awaited before the record counts as
 * handled: a record is in a file or in the dead-letter topic before its offset is committed.
 */
export class DeadLetters {
  #producer: ReturnType<typeof createProducer> | null = null;
  sent = 0;

  constructor(
    private readonly bootstrapServers: string,
    private readonly suffix: string,
  ) {}

  async send(record: SinkRecord, reason: string): Promise<void> {
    this.#producer ??= createProducer({ bootstrapServers: this.bootstrapServers, clientId: 'tributary-sink-dlq' });
    await this.#producer.send({
      messages: [
        {
          topic: `${record.topic}${this.suffix}`,
          key: record.key,
          value: record.value,
          headers: {
            '__connect.errors.topic': record.topic,
            '__connect.errors.partition': String(record.partition),
            '__connect.errors.offset': record.offset.toString(),
            '__connect.errors.exception.message': reason,
          },
        },
      ],
    });
    this.sent++;
  }

  async close(): Promise<void> {
    await this.#producer?.close();
    this.#producer = null;
  }
}
