import assert from 'node:assert/strict';

/**
 * The deterministic data set every compatibility test produces and checks: record i has a key
 * that maps many records to one partition, a value of varying length, two headers and a
 * timestamp derived from i, so the consumer side can verify each field exactly.
 */
export const KEY_SPACE = 997;

export function keyOf(i: number): string {
  return `key-${i % KEY_SPACE}`;
}

export function valueOf(i: number): string {
  return `value-${i}-${'x'.repeat(i % 50)}`;
}

export function timestampOf(base: number, i: number): number {
  return base + i;
}

export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: Record<string, string>;
  timestamp: number;
}

/**
 * Checks a consumed data set: every record exactly once; per partition contiguous offsets from 0
 * and the producer's order; keys, values, headers and (when given) timestamps exact; each key in
 * one partition only.
 */
export function verifyConsumed(records: ConsumedRecord[], count: number, options: { baseTimestamp?: number; client: string }): void {
  assert.equal(records.length, count, `${options.client}: consumed ${records.length} records, expected ${count}`);
  const seen = new Uint8Array(count);
  const byPartition = new Map<number, ConsumedRecord[]>();
  const partitionOfKey = new Map<string, number>();
  for (const record of records) {
    const idx = Number(record.headers.idx);
    assert.ok(Number.isInteger(idx) && idx >= 0 && idx < count, `${options.client}: bad idx header ${record.headers.idx}`);
    assert.equal(seen[idx], 0, `${options.client}: record ${idx} consumed twice`);
    seen[idx] = 1;
    assert.equal(record.key, keyOf(idx), `${options.client}: key of record ${idx}`);
    assert.equal(record.value, valueOf(idx), `${options.client}: value of record ${idx}`);
    assert.equal(record.headers.client, options.client, `${options.client}: client header of record ${idx}`);
    if (options.baseTimestamp !== undefined) {
      assert.equal(record.timestamp, timestampOf(options.baseTimestamp, idx), `${options.client}: timestamp of record ${idx}`);
    }
    const knownPartition = partitionOfKey.get(record.key);
    if (knownPartition === undefined) partitionOfKey.set(record.key, record.partition);
    else assert.equal(record.partition, knownPartition, `${options.client}: key ${record.key} in two partitions`);
    const list = byPartition.get(record.partition) ?? [];
    list.push(record);
    byPartition.set(record.partition, list);
  }
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => a.offset - b.offset);
    list.forEach((record, position) => {
      assert.equal(record.offset, position, `${options.client}: partition ${partition} offsets are not contiguous at ${position}`);
      if (position > 0) {
        assert.ok(Number(record.headers.idx) > Number(list[position - 1]!.headers.idx), `${options.client}: partition ${partition} out of producer order at offset ${position}`);
      }
    });
  }
}
