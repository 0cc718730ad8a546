import { comparePositions } from '../../src/index.ts';
import type { TopicRecord } from './harness.ts';

export interface ChangeEvent {
  op: 'c' | 'u' | 'd' | 'r';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: { file: string; pos: number; row: number; snapshot: string };
}

/**
 * What a consumer does with the topic: apply events in order, skipping tombstones and any change
 * whose source position is not after the last one applied (a replay after a crash).
 */
export function replay(records: TopicRecord[], keyOf: (row: Record<string, unknown>) => string): { table: Map<string, Record<string, unknown>>; duplicates: ChangeEvent[]; applied: ChangeEvent[] } {
  const table = new Map<string, Record<string, unknown>>();
  const duplicates: ChangeEvent[] = [];
  const applied: ChangeEvent[] = [];
  let last: ChangeEvent['source'] | null = null;
  for (const record of records) {
    if (record.value === null) continue;
    const event = JSON.parse(record.value) as ChangeEvent;
    if (event.op !== 'r') {
      if (last && last.snapshot === 'false' && comparePositions(event.source, last) <= 0) {
        duplicates.push(event);
        continue;
      }
      last = event.source;
    }
    applied.push(event);
    if (event.op === 'd') table.delete(keyOf(event.before!));
    else table.set(keyOf(event.after!), event.after!);
  }
  return { table, duplicates, applied };
}
