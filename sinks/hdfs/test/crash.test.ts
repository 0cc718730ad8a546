import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { committedFiles, landedEndOffsets, LocalFileSystem } from '../src/index.ts';
import { checkWithDuckDb, committedOffsets, produceTrackingEvents, waitUntilLanded } from './support/landing.ts';

const EVENTS = 150_000;
const PARTITIONS = 6;
const TOPIC = 'tracking.events';
const CLI = join(import.meta.dirname, '../../../cli/bin/tributary.mjs');

describe('kill -9 of the sink while it lands', () => {
  let broker: BrokerInstance;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-sink-crash-'));
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  });
  after(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('five crashes mid-commit leave every record in exactly one file', { timeout: 600_000 }, async () => {
    const ends = await produceTrackingEvents(broker.bootstrap, dir, TOPIC, { events: EVENTS, hours: 4, partitions: PARTITIONS });

    const root = join(dir, 'landed');
    const fs = new LocalFileSystem(root);
    // Static membership: a restarted sink takes its partitions back at once instead of waiting
    // for the dead incarnation's session to expire.
    const args = [
      CLI, 'sink', 'start', '--topics', TOPIC, '--root', `file://${root}`, '--bootstrap-server', broker.bootstrap,
      '--flush-size', '4000', '--rotate-interval-ms', '1000', '--timestamp-field', 'timestamp', '--instance-id', 'sink-under-test', '--metrics-port', '0',
    ];
    const start = (n: number) => new ManagedProcess(process.execPath, args, join(dir, `sink-${n}.log`), { env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'info' } });
    let landedFiles = 0;
    for (let crash = 0; crash < 5; crash++) {
      const sink = start(crash);
      // Kill once it has committed more files, so it dies in the middle of landing.
      const before = landedFiles;
      landedFiles = await waitFor(async () => {
        const count = (await committedFiles(fs, TOPIC)).length;
        return count >= before + 3 + crash ? count : 0;
      }, { what: `sink run ${crash} to commit files`, timeoutMs: 120_000, intervalMs: 20 });
      await sink.kill9();
      // The safe order: an offset is committed only once the records before it are in files.
      const landed = await landedEndOffsets(fs, TOPIC);
      for (const [partition, committed] of await committedOffsets(broker.bootstrap, 'tributary-hdfs-sink', TOPIC)) {
        assert.ok(committed <= (landed.get(partition) ?? -1n) + 1n, `partition ${partition}: committed ${committed} is beyond the landed files (${landed.get(partition)})`);
      }
    }
    const last = start(5);
    try {
      await waitUntilLanded(fs, TOPIC, ends, 300_000);
    } finally {
      await last.stop();
    }
    assert.deepEqual(await checkWithDuckDb(fs, TOPIC), { rows: EVENTS, distinctPositions: EVENTS, distinctEvents: EVENTS, mismatched: 0 });
    assert.deepEqual(await fs.list('/+tmp/tracking.events/0').then((entries) => entries.filter((e) => e.name.startsWith('intent-'))), [], 'no commit intent is left behind');
  });
});
