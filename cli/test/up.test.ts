import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launchChromium, ManagedProcess, waitFor } from '@tributary/testkit';
import { LocalFileSystem, queryLanded } from '@tributary/hdfs-sink';

const CLI = join(import.meta.dirname, '../bin/tributary.mjs');

test('tributary up: the demo page tracks a click, and the event lands in a Parquet file', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-up-'));
  const [port, adminPort, trackingPort] = [await freePort(), await freePort(), await freePort()];
  const configFile = join(dir, 'tributary.yaml');
  writeFileSync(
    configFile,
    [
      'broker:',
      `  port: ${port}`,
      `  admin.port: ${adminPort}`,
      'tracking:',
      `  port: ${trackingPort}`,
      '  host: 127.0.0.1',
      'sink:',
      '  rotate.interval.ms: 1000',
      '',
    ].join('\n'),
  );
  const logPath = join(dir, 'up.log');
  const up = new ManagedProcess(process.execPath, [CLI, 'up', '--data-dir', join(dir, 'data'), '--config', configFile], logPath);
  const browser = await launchChromium();
  try {
    await up.untilReady(waitFor(() => readFileSync(logPath, 'utf8').includes('Press Ctrl-C to stop.'), { what: 'tributary up to print its URLs', timeoutMs: 90_000 }), 'tributary up');
    const output = readFileSync(logPath, 'utf8');
    assert.match(output, new RegExp(`tracking demo\\s+http://127\\.0\\.0\\.1:${trackingPort}/demo`));
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${trackingPort}/demo`);
    await page.click('#signup');
    const root = new LocalFileSystem(join(dir, 'data', 'landed'));
    const rows = await waitFor(
      async () => {
        const { rows: landed } = await queryLanded(root, `SELECT type, event, page_path FROM "tracking.events" WHERE event = 'signup'`);
        return landed.length > 0 ? landed : null;
      },
      { what: 'the signup event in a landed Parquet file', timeoutMs: 90_000, intervalMs: 500 },
    );
    assert.deepEqual(rows, [{ type: 'track', event: 'signup', page_path: '/demo' }]);
    const { rows: kinds } = await queryLanded(root, `SELECT DISTINCT coalesce(event, type) AS kind FROM "tracking.events" ORDER BY kind`);
    assert.deepEqual(kinds.map((row) => row.kind), ['click', 'page', 'signup'], 'the page view and the click (click tracking is on in the demo) landed too');
    await up.stop();
    assert.equal(await up.exited, 0, 'Ctrl-C stops every part cleanly');
  } finally {
    await browser.close();
    await up.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
