/** Where the coordinator keeps its records: __consumer_offsets in the broker, memory in tests. */
export interface GroupStore {
  append(partition: number, records: { key: Buffer; value: Buffer | null }[]): Promise<void>;
  load(partition: number): AsyncIterable<{ key: Buffer; value: Buffer | null }>;
}

export class InMemoryGroupStore implements GroupStore {
  readonly partitions = new Map<number, { key: Buffer; value: Buffer | null }[]>();

  async append(partition: number, records: { key: Buffer; value: Buffer | null }[]): Promise<void> {
    const list = this.partitions.get(partition) ?? [];
    list.push(...records);
    this.partitions.set(partition, list);
  }

  async *load(partition: number): AsyncIterable<{ key: Buffer; value: Buffer | null }> {
    for (const record of this.partitions.get(partition) ?? []) yield record;
  }
}
