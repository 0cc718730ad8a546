import { createProducer } from '@tributary/common/kafka';

type Producer = ReturnType<typeof createProducer>;
export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

interface Waiting {
  messages: OutgoingMessage[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Stays under the broker's default max.message.bytes (1 MiB) for one partition's batch. */
const MAX_BATCH_BYTES = 900 * 1024;

/**
 * One produce request in flight at a time, carrying whatever queued up meanwhile: records leave
 * in the order they were handed over, and batching keeps the throughput. After a failed send the
 * producer is replaced, so whatever state broke it cannot affect the sends that follow.
 */
export class SerialSender {
  private producer: Producer;
  private readonly queue: Waiting[] = [];
  private running = false;

  constructor(private readonly create: () => Producer) {
    this.producer = create();
  }

  send(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const bytes = messages.reduce((sum, message) => sum + message.key.length + Buffer.byteLength(message.value), 0);
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, bytes, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch: Waiting[] = [this.queue.shift()!];
      let bytes = batch[0]!.bytes;
      while (this.queue.length > 0 && bytes + this.queue[0]!.bytes <= MAX_BATCH_BYTES) {
        bytes += this.queue[0]!.bytes;
        batch.push(this.queue.shift()!);
      }
      try {
        await this.producer.send({ messages: batch.flatMap((waiting) => waiting.messages) });
        batch.forEach((waiting) => waiting.resolve());
      } catch (error) {
        batch.forEach((waiting) => waiting.reject(error));
        const broken = this.producer;
        this.producer = this.create();
        await broken.close().catch(() => undefined);
      }
    }
    this.running = false;
  }

  async close(): Promise<void> {
    while (this.running || this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.producer.close();
  }
}
