import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@tributary/common';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { committedFiles, openFileSystem, sinkConfig, startSinkWorker } from '../src/index.ts';
import { checkWithDuckDb, checkWithParquetjs, produceTrackingEvents, waitUntilLanded } from './support/landing.ts';
import { WebHdfsTestServer } from './support/webhdfs-server.ts';

const EVENTS = 60_000;
const PARTITIONS = 6;
const TOPIC = 'tracking.events';

describe('landing over WebHDFS with a namenode failover', () => {
  let broker: BrokerInstance;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-webhdfs-landing-'));
  const hdfs = new WebHdfsTestServer(join(dir, 'hdfs'));
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
    await hdfs.start(2);
  });
  after(async () => {
    await broker?.stop();
    await hdfs.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  test('every record lands exactly once, before and after the active namenode changes', { timeout: 300_000 }, async () => {
    const ends = await produceTrackingEvents(broker.bootstrap, dir, TOPIC, { events: EVENTS, hours: 2, partitions: PARTITIONS });

    const root = `webhdfs://${hdfs.namenodePorts.map((port) => `127.0.0.1:${port}`).join(',')}/user/tributary/landed?user=etl`;
    const fs = openFileSystem(root);
    const worker = await startSinkWorker(
      sinkConfig({ topics: [TOPIC], root, bootstrapServers: broker.bootstrap, flushSize: 3000, rotateIntervalMs: 1000, timestampField: 'timestamp', stagingDir: join(dir, 'staging') }),
      { log: createLogger('sink', { level: 'warn' }) },
    );
    try {
      await waitFor(async () => (await committedFiles(fs, TOPIC)).length >= 6, { what: 'the first files over WebHDFS', timeoutMs: 120_000, intervalMs: 100 });
      hdfs.failover(1);
      await hdfs.stopNamenode(0);
      await waitUntilLanded(fs, TOPIC, ends, 240_000);
    } finally {
      await worker.close();
    }

    assert.deepEqual(await checkWithDuckDb(fs, TOPIC), { rows: EVENTS, distinctPositions: EVENTS, distinctEvents: EVENTS, mismatched: 0 });
    assert.deepEqual(await checkWithParquetjs(fs, TOPIC), { rows: EVENTS, distinctPositions: EVENTS, distinctEvents: EVENTS, mismatched: 0, offsetsOutsideName: 0 });
    const creates = hdfs.requests.filter((request) => / PUT CREATE /.test(request));
    assert.ok(creates.some((r) => r.startsWith('nn0')) && creates.some((r) => r.startsWith('nn1')), 'files were created through both namenodes');
    assert.ok(hdfs.requests.some((r) => r.startsWith('dn ')), 'the bytes went to the datanode after the redirect');
    assert.ok(hdfs.requests.some((r) => / PUT RENAME /.test(r)), 'files were renamed into place');
  });
});
