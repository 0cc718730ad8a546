import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launchChromium, startMariaDb, startRedis, waitFor } from '@tributary/testkit';
import { LocalFileSystem, queryLanded } from '@tributary/hdfs-sink';
import { assertStopsCleanly, freshInstall, npmStart, spawnUp, startUp, stopUp } from './support/up-process.ts';

interface CollectorView {
  name: string;
  ok: boolean;
  kind: string;
  json?: Record<string, unknown>;
  counters?: Array<{ name: string }>;
}

async function collectors(adminPort: number): Promise<CollectorView[]> {
  return ((await (await fetch(`http://127.0.0.1:${adminPort}/api/console/collectors`)).json()) as { collectors: CollectorView[] }).collectors;
}

/** Free ports for every listener of `up`, given the way a user would: TRIBUTARY_<SECTION>_<KEY>. */
async function portEnv() {
  const ports = { broker: await freePort(), admin: await freePort(), tracking: await freePort(), sink: await freePort(), cdc: await freePort(), crawler: await freePort() };
  const env = {
    TRIBUTARY_BROKER_PORT: String(ports.broker),
    TRIBUTARY_BROKER_ADMIN_PORT: String(ports.admin),
    TRIBUTARY_TRACKING_PORT: String(ports.tracking),
    TRIBUTARY_SINK_METRICS_PORT: String(ports.sink),
    TRIBUTARY_CDC_STATUS_PORT: String(ports.cdc),
    TRIBUTARY_CRAWLER_METRICS_PORT: String(ports.crawler),
    TRIBUTARY_SINK_ROTATE_INTERVAL_MS: '1000',
  };
  return { ports, env };
}

test('quickstart in a fresh checkout (npm ci, npm start): a click on the demo page shows in the console and in a landed Parquet file; Ctrl-C stops everything', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-up-'));
  const checkout = freshInstall(dir);
  const { ports, env } = await portEnv();
  const started = await startUp(dir, ['--data-dir', join(dir, 'data')], env, npmStart(checkout));
  const { up, output } = started;
  const browser = await launchChromium();
  try {
    const printed = output();
    assert.match(printed, new RegExp(`tracking demo\\s+http://127\\.0\\.0\\.1:${ports.tracking}/demo`));
    assert.match(printed, new RegExp(`console\\s+http://127\\.0\\.0\\.1:${ports.admin}/`));
    assert.match(printed, new RegExp(`broker metrics\\s+http://127\\.0\\.0\\.1:${ports.admin}/metrics`));
    assert.match(printed, new RegExp(`landed Parquet\\s+${join(dir, 'data', 'landed')}`));
    assert.doesNotMatch(printed, /cdc status|crawler metrics/, 'CDC and the crawler wait for a MySQL / Redis URL');

    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${ports.tracking}/demo`);
    await page.click('#signup');

    // The console, as its page shows it: the event in the tracking.events message browser.
    const consolePage = await browser.newPage();
    await consolePage.goto(`http://127.0.0.1:${ports.admin}/`);
    await consolePage.click('#tabs button[data-tab="topics"]');
    await consolePage.click('a[data-topic="tracking.events"]');
    await waitFor(
      async () => {
        await consolePage.click('#mb-load');
        const values = await consolePage.locator('#messages-table tbody tr[data-offset] td').allTextContents();
        return values.some((value) => value.includes('"event":"signup"'));
      },
      { what: 'the signup event in the console message browser', timeoutMs: 60_000, intervalMs: 500 },
    );
    await consolePage.click('#tabs button[data-tab="collectors"]');
    for (const name of ['tracking', 'sink']) {
      const pill = consolePage.locator(`.collector[data-collector="${name}"] h3 .pill`);
      await waitFor(async () => (await pill.count()) === 1 && (await pill.textContent()) === 'up', { what: `the ${name} card showing up`, timeoutMs: 20_000, intervalMs: 200 });
    }
    assert.deepEqual((await collectors(ports.admin)).map((view) => [view.name, view.ok]), [['tracking', true], ['tracking-events', true], ['sink', true]]);
    // The tracking rate: events/s accepted, from the counter's change between two polls while the page keeps clicking.
    const acceptedRate = consolePage.locator('.collector[data-collector="tracking-events"] tr[data-counter="tributary_tracking_events_accepted_total"] td[data-rate]');
    await waitFor(
      async () => {
        await page.click('#signup');
        return (await acceptedRate.count()) === 1 && Number((await acceptedRate.getAttribute('data-rate')) || 0) > 0;
      },
      { what: 'the console to show a tracking rate above 0', timeoutMs: 40_000, intervalMs: 500 },
    );

    const root = new LocalFileSystem(join(dir, 'data', 'landed'));
    const rows = await waitFor(
      async () => {
        const { rows: landed } = await queryLanded(root, `SELECT DISTINCT type, event, page_path FROM "tracking.events" WHERE event = 'signup'`);
        return landed.length > 0 ? landed : null;
      },
      { what: 'the signup event in a landed Parquet file', timeoutMs: 90_000, intervalMs: 500 },
    );
    assert.deepEqual(rows, [{ type: 'track', event: 'signup', page_path: '/demo' }]);
    const { rows: kinds } = await queryLanded(root, `SELECT DISTINCT coalesce(event, type) AS kind FROM "tracking.events" ORDER BY kind`);
    assert.deepEqual(kinds.map((row) => row.kind), ['click', 'page', 'signup'], 'the page view and the click (click tracking is on in the demo) landed too');
    const sink = (await collectors(ports.admin)).find((view) => view.name === 'sink')!;
    assert.ok(sink.counters!.some((counter) => counter.name.startsWith('tributary_sink_files_committed_total')), 'the console shows the files the sink committed');
    await assertStopsCleanly(started, 'SIGINT', [ports.broker, ports.admin, ports.tracking, ports.sink]);
  } finally {
    await browser.close();
    await stopUp(up);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('up --mysql --redis also starts CDC and a crawl worker, healthy in the console; SIGTERM stops them all', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-up-'));
  const { ports, env } = await portEnv();
  const [mariadb, redis] = await Promise.all([startMariaDb(), startRedis()]);
  try {
    // A password in the URL, as production has: neither the console nor the output may show it.
    const password = 'Sup3r-s3cret-cdc';
    await mariadb.sql(
      `CREATE USER 'cdc'@'%' IDENTIFIED BY '${password}'; GRANT SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'cdc'@'%';` +
        'CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, total DECIMAL(10,2)); INSERT INTO shop.orders VALUES (1, 9.90);',
    );
    const mysql = `mysql://cdc:${password}@127.0.0.1:${mariadb.port}`;
    const started = await startUp(dir, ['--data-dir', join(dir, 'data'), '--mysql', mysql, '--redis', redis.url], env);
    const { up, output } = started;
    try {
      assert.match(output(), new RegExp(`cdc status\\s+http://127\\.0\\.0\\.1:${ports.cdc}/status`));
      assert.match(output(), new RegExp(`crawler metrics\\s+http://127\\.0\\.0\\.1:${ports.crawler}/metrics`));
      const views = await waitFor(
        async () => {
          const found = await collectors(ports.admin);
          return found.every((view) => view.ok) && found.find((view) => view.name === 'cdc')?.json?.phase === 'streaming' ? found : null;
        },
        { what: 'every part healthy and CDC streaming in /api/console/collectors', timeoutMs: 60_000, intervalMs: 500 },
      );
      assert.deepEqual(views.map((view) => view.name), ['tracking', 'tracking-events', 'sink', 'cdc', 'crawler']);
      assert.equal(views.find((view) => view.name === 'cdc')!.json!.server, 'mysql', 'CDC runs under the default server name');
      assert.equal(views.find((view) => view.name === 'crawler')!.kind, 'prometheus');
      const consolePages = await Promise.all(['/', '/api/console/collectors', '/api/console/overview'].map(async (path) => (await fetch(`http://127.0.0.1:${ports.admin}${path}`)).text()));
      for (const shown of [...consolePages, output()]) assert.ok(!shown.includes(password), 'the MySQL password is shown nowhere');
      await assertStopsCleanly(started, 'SIGTERM', [ports.broker, ports.admin, ports.tracking, ports.sink, ports.cdc, ports.crawler]);
    } finally {
      await up.stop();
    }
  } finally {
    await Promise.all([mariadb.stop(), redis.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C while up is still starting stops what started, and exits 0', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-up-'));
  const { ports, env } = await portEnv();
  const started = spawnUp(dir, ['--data-dir', join(dir, 'data')], env);
  const { up, output } = started;
  try {
    await up.untilReady(waitFor(() => output().includes('"msg":"broker started"'), { what: 'the broker part to start', timeoutMs: 60_000, intervalMs: 20 }), 'tributary up');
    await assertStopsCleanly(started, 'SIGINT', [ports.broker, ports.admin, ports.tracking, ports.sink], [ports.broker]);
    assert.doesNotMatch(output(), /Press Ctrl-C to stop/, 'stopped before it was up');
  } finally {
    await up.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
