import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Spool, type SpoolRecord } from '../src/spool.ts';

const records = (n: number, from = 0): SpoolRecord[] =>
  Array.from({ length: n }, (_, i) => ({ topic: 'tracking.events', key: `visitor\t${from + i}`, value: JSON.stringify({ n: from + i, text: 'a "quoted"\ttab' }) }));

async function drain(spool: Spool, max: number): Promise<SpoolRecord[]> {
  const out: SpoolRecord[] = [];
  for (;;) {
    const batch = await spool.read(max);
    if (batch.records.length === 0) return out;
    out.push(...batch.records);
    await spool.ack(batch);
  }
}

describe('spool', () => {
  it('reads back in order what was appended, from memory and from disk, across segments, also after reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const odd: SpoolRecord = { topic: 'tracking.bad', key: null, value: 'a value\nwith a line break' };
    const written = [...records(30), odd, ...records(30, 30)];
    // Small segments, and memory for only the newest few appends: the oldest are read from disk.
    const spool = await Spool.open(dir, { segmentBytes: 1000, recentBytes: 600 });
    for (let i = 0; i < written.length; i += 7) await spool.append(written.slice(i, i + 7));
    assert.equal(spool.backlog.events, written.length);
    const firstHalf = await spool.read(20);
    await spool.ack(firstHalf);
    await spool.close();

    const reopened = await Spool.open(dir, { segmentBytes: 1000 });
    assert.equal(reopened.backlog.events, written.length - firstHalf.records.length);
    await reopened.append(records(5, 100));
    assert.deepEqual([...firstHalf.records, ...(await drain(reopened, 9))], [...written, ...records(5, 100)]);
    assert.deepEqual(reopened.backlog, { events: 0, bytes: 0 });
    await reopened.close();
  });

  it('reads spools written as JSON lines by earlier versions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spool-'));
    const old = records(3);
    writeFileSync(join(dir, '000000000000.jsonl'), old.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const spool = await Spool.open(dir);
    assert.equal(spool.backlog.events, 3);
    assert.deepEqual(await drain(spool, 2), old);
    await spool.close();
  });
});
