import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { ManagedProcess } from './managed-process.ts';
import { instanceDir } from './run-dir.ts';
import { freePort, waitFor } from './wait.ts';

export interface MariaDbInstance {
  port: number;
  url: string;
  socket: string;
  dataDir: string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
  restart(): Promise<void>;
  /** Runs SQL through the mariadb command line client; resolves with its tab-separated output. */
  sql(statements: string, database?: string): Promise<string>;
}

export interface MariaDbOptions {
  /** Extra mariadbd arguments, e.g. ['--binlog-format=STATEMENT'] or ['--skip-log-bin']. */
  args?: string[];
  /** Default: binlog on in ROW format with FULL row images, as CDC needs. */
  binlog?: boolean;
}

/** A private MariaDB with the binlog on (ROW, FULL), root without password over TCP. */
export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDbInstance> {
  const server = requireBinary('mariadbd', 'mariadb-server');
  const installDb = requireBinary('mariadb-install-db', 'mariadb-server');
  const client = requireBinary('mariadb', 'mariadb-client');
  const dir = instanceDir('mariadb');
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mariadb.sock');
  const port = await freePort();
  const install = spawnSync(installDb, ['--no-defaults', `--datadir=${dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr.slice(-2000)}`);
  const binlog = options.binlog === false ? [] : [`--log-bin=${join(dataDir, 'binlog')}`, '--binlog-format=ROW', '--binlog-row-image=FULL', '--server-id=1'];
  const args = ['--no-defaults', `--datadir=${dataDir}`, `--port=${port}`, `--socket=${socket}`, '--bind-address=127.0.0.1', '--user=root', `--pid-file=${join(dir, 'mariadb.pid')}`, ...binlog, ...(options.args ?? [])];
  let process_: ManagedProcess;
  const sql = (statements: string, database?: string) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(client, ['--no-defaults', '-h', '127.0.0.1', '-P', String(port), '-u', 'root', '-N', '-B', ...(database ? [database] : [])]);
      let out = '';
      let err = '';
      child.stdout.on('data', (data) => (out += data));
      child.stderr.on('data', (data) => (err += data));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`mariadb: ${err.trim()}`))));
      child.stdin.end(statements);
    });
  const launch = async () => {
    process_ = new ManagedProcess(server, args, join(dir, 'mariadb.log'));
    await process_.untilReady(waitFor(async () => (await sql('SELECT 1')).trim() === '1', { what: `mariadb on port ${port}`, timeoutMs: 60_000, intervalMs: 200 }), 'mariadbd');
  };
  await launch();
  return {
    port,
    url: `mysql://root@127.0.0.1:${port}`,
    socket,
    dataDir,
    stop: () => process_.stop(30_000),
    kill9: () => process_.kill9(),
    async restart() {
      await process_.stop(30_000);
      await launch();
    },
    sql,
  };
}
