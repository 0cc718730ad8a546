import type { StoredRecord, TransactionalWriter } from '../server/internal-topic-store.ts';

/** Where the coordinator keeps its records: __consumer_offsets in the broker, memory in tests. */
export interface GroupStore {
  append(partition: number, records: { key: Buffer; value: Buffer | null }[], writer?: TransactionalWriter): Promise<void>;
  load(partition: number): AsyncIterable<StoredRecord>;
}

export class InMemoryGroupStore implements GroupStore {
  readonly partitions = new Map<number, StoredRecord[]>();

  async append(partition: number, records: { key: Buffer; value: Buffer | null }[], writer?: TransactionalWriter): Promise<void> {
    const list = this.partitions.get(partition) ?? [];
    list.push(...records.map((record) => (writer ? { ...record, producerId: writer.producerId } : record)));
    this.partitions.set(partition, list);
  }

  /** What a transaction marker on the partition would leave behind. */
  appendMarker(partition: number, producerId: number, marker: 'commit' | 'abort'): void {
    const list = this.partitions.get(partition) ?? [];
    list.push({ key: Buffer.alloc(0), value: null, producerId, marker });
    this.partitions.set(partition, list);
  }

  async *load(partition: number): AsyncIterable<StoredRecord> {
    for (const record of this.partitions.get(partition) ?? []) yield record;
  }
}
