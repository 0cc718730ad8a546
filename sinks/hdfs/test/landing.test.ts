import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@tributary/common';
import { startBroker, type BrokerInstance } from '@tributary/testkit';
import { LocalFileSystem, sinkConfig, startSinkWorker } from '../src/index.ts';
import { checkWithDuckDb, checkWithParquetjs, produceTrackingEvents, waitUntilLanded } from './support/landing.ts';

const EVENTS = 1_000_000;
const PARTITIONS = 6;
const TOPIC = 'tracking.events';

describe('landing 1M tracking events over 6 partitions as Parquet', () => {
  let broker: BrokerInstance;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-landing-'));
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  });
  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every produced record is in exactly one file, read back by parquetjs and DuckDB', { timeout: 600_000 }, async () => {
    const ends = await produceTrackingEvents(broker.bootstrap, dir, TOPIC, { events: EVENTS, hours: 3, partitions: PARTITIONS });

    const root = join(dir, 'landed');
    const worker = await startSinkWorker(
      sinkConfig({ topics: [TOPIC], root: `file://${root}`, bootstrapServers: broker.bootstrap, flushSize: 60_000, rotateIntervalMs: 2000, timestampField: 'timestamp' }),
      { log: createLogger('sink', { level: 'warn' }) },
    );
    const fs = new LocalFileSystem(root);
    try {
      await waitUntilLanded(fs, TOPIC, ends, 400_000);
    } finally {
      await worker.close();
    }

    const viaDuckDb = await checkWithDuckDb(fs, TOPIC);
    assert.deepEqual(viaDuckDb, { rows: EVENTS, distinctPositions: EVENTS, distinctEvents: EVENTS, mismatched: 0 });
    const viaParquetjs = await checkWithParquetjs(fs, TOPIC);
    assert.deepEqual(viaParquetjs, { rows: EVENTS, distinctPositions: EVENTS, distinctEvents: EVENTS, mismatched: 0, offsetsOutsideName: 0 });
    assert.ok((await fs.list('/tracking.events')).every((entry) => /^dt=2026-11-2[45]$/.test(entry.name)), 'files are under dt= directories of the event time');
  });
});
