// `npm run bench -- cdc [--rows N] [--lag-samples N]`: row changes per second from the binlog to
// the broker, and the end-to-end lag from COMMIT to a consumer, with `mariadb-binlog` decoding the
// same binlog (rows verbose, to /dev/null) in the same run as the ceiling.
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger } from '@tributary/common';
import { startBroker, waitFor } from '@tributary/testkit';
import type { BenchOptions, BenchResult } from '../../../scripts/bench.ts';
import { CdcConnector, cdcConfigFrom, comparePositions, loadCdcSection } from '../src/index.ts';
import { startMariaDb } from '../test/support/mariadb.ts';

function timeCommand(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e9) : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const rows = Number(options.values.rows ?? 200_000);
  const lagSamples = Number(options.values['lag-samples'] ?? 50);
  options.progress('starting MariaDB and the broker');
  const [db, broker] = await Promise.all([startMariaDb(), startBroker()]);
  const log = createLogger('cdc-bench', { level: 'warn' });
  const settings = { mysql: db.url, 'server.name': 'bench', 'bootstrap.servers': broker.bootstrap, 'status.port': 0 };
  const newConnector = () => new CdcConnector(cdcConfigFrom(loadCdcSection({ flags: settings })), log);
  try {
    await db.sql('CREATE DATABASE shop');
    await db.sql('CREATE TABLE shop.orders (id INT PRIMARY KEY, customer INT NOT NULL, amount DECIMAL(10,2) NOT NULL, note VARCHAR(64) NOT NULL, created DATETIME(6) NOT NULL)');
    let connector = newConnector();
    await connector.start();
    await connector.stop();

    // The changes are written while the connector is down, so the catch-up measures the
    // connector alone and not how fast MariaDB can write.
    const [startStatus] = (await db.sql('SHOW MASTER STATUS')) as { File: string; Position: number }[];
    options.progress(`writing ${rows} inserts and ${rows} updates`);
    for (let from = 1; from <= rows; from += 10_000) {
      const to = Math.min(rows, from + 9_999);
      await db.sql(`INSERT INTO shop.orders SELECT seq, seq % 1000, seq / 100, CONCAT('order ', seq), NOW(6) FROM shop.seq_${from}_to_${to}`);
      await db.sql(`UPDATE shop.orders SET amount = amount + 1 WHERE id BETWEEN ${from} AND ${to}`);
    }
    const [end] = (await db.sql('SHOW MASTER STATUS')) as { File: string; Position: number }[];
    const changes = rows * 2;

    options.progress('mariadb-binlog decoding the same binlog (ceiling)');
    const ceilingSeconds = await timeCommand('mariadb-binlog', ['--read-from-remote-server', '--host=127.0.0.1', `--port=${db.port}`, '--user=root', '--verbose', `--start-position=${startStatus!.Position}`, `--stop-position=${end!.Position}`, '--result-file=/dev/null', startStatus!.File]);

    options.progress('connector catching up');
    connector = newConnector();
    const started = process.hrtime.bigint();
    await connector.start();
    await waitFor(() => {
      const stored = connector.currentStatus().storedPosition;
      return stored !== null && comparePositions(stored, { file: end!.File, pos: end!.Position }) >= 0;
    }, { what: 'the connector to store the end position', timeoutMs: 600_000, intervalMs: 20 });
    const catchUpSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    options.progress(`measuring end-to-end lag over ${lagSamples} single-row commits`);
    const kafka = new Kafka({ clientId: 'cdc-bench', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: 'cdc-bench-lag', maxWaitTimeInMs: 20 });
    await consumer.connect();
    const seen = new Map<string, bigint>();
    await consumer.subscribe({ topic: 'bench.shop.orders', fromBeginning: false });
    await consumer.run({ eachMessage: async ({ message }) => { if (message.key) seen.set(message.key.toString(), process.hrtime.bigint()); } });
    await waitFor(async () => {
      await db.sql('UPDATE shop.orders SET note = ? WHERE id = 1', [`probe ${Date.now()}`]);
      return seen.has('{"id":1}');
    }, { what: 'the lag consumer to receive', timeoutMs: 60_000, intervalMs: 200 });
    const lags: number[] = [];
    for (let i = 0; i < lagSamples; i++) {
      const id = rows + 1 + i;
      const before = process.hrtime.bigint();
      await db.sql('INSERT INTO shop.orders VALUES (?, 1, 1.00, ?, NOW(6))', [id, 'lag']);
      const arrived = await waitFor(() => seen.get(`{"id":${id}}`), { what: `row ${id} at the consumer`, timeoutMs: 30_000, intervalMs: 1 });
      lags.push(Number(arrived - before) / 1e6);
    }
    await consumer.disconnect();
    await connector.stop();
    lags.sort((a, b) => a - b);
    return {
      title: 'CDC: MariaDB binlog to broker',
      subject: 'tributary cdc',
      peers: ['mariadb-binlog'],
      rows: [
        { metric: `row changes/s (${changes.toLocaleString('en-US')} changes, catch-up)`, unit: 'rows/s', better: 'higher', values: { 'tributary cdc': changes / catchUpSeconds, 'mariadb-binlog': changes / ceilingSeconds } },
        { metric: 'end-to-end lag p50 (COMMIT to consumer)', unit: 'ms', better: 'lower', values: { 'tributary cdc': percentile(lags, 50) } },
        { metric: 'end-to-end lag p99', unit: 'ms', better: 'lower', values: { 'tributary cdc': percentile(lags, 99) } },
      ],
      notes: [
        'The changes (inserts and updates of 10,000-row statements on a 5-column table) are written while the connector is stopped; the rate is the catch-up from the stored position until the end position is stored, so the broker has acknowledged every event.',
        'mariadb-binlog reads the same range from the same server over the replication protocol with --verbose (rows decoded to pseudo-SQL) into /dev/null: decoding alone, no produce, no acknowledgement.',
        'The lag is measured with kafkajs as an independent consumer, one single-row INSERT at a time, from the client sending the statement to the consumer receiving the event.',
      ],
    };
  } finally {
    await Promise.allSettled([db.stop(), broker.stop()]);
  }
}
