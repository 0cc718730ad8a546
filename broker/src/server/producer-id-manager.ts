import type { MetadataStore } from '../metadata/types.ts';

const BLOCK_SIZE = 1000;

/**
 * Hands out producer ids for idempotent producers. Ids come in blocks reserved durably in the
 * metadata store (as Kafka's ProducerIdManager does), so a restart never reissues an id.
 */
export class ProducerIdManager {
  private next = 0;
  private end = 0;
  private pending: Promise<void> | null = null;

  constructor(private readonly metadata: MetadataStore) {}

  async generateProducerId(): Promise<number> {
    while (this.next >= this.end) {
      this.pending ??= this.metadata.allocateProducerIdBlock(BLOCK_SIZE).then((start) => {
        this.next = start;
        this.end = start + BLOCK_SIZE;
        this.pending = null;
      });
      await this.pending;
    }
    return this.next++;
  }
}
