import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, requireBinary, waitFor } from '@tributary/testkit';

export interface MariaDb {
  port: number;
  url: string;
  sql(statement: string, params?: unknown[]): Promise<unknown[]>;
  stop(): Promise<void>;
}

/**
 * A private MariaDB for this package's tests (testkit has none yet): log_bin on, ROW format unless
 * told otherwise, root without a password over TCP.
 */
export async function startMariaDb(options: { extraArgs?: string[]; logBin?: boolean } = {}): Promise<MariaDb> {
  requireBinary('mariadbd', 'mariadb-server');
  const dir = mkdtempSync('/tmp/cdc-mariadb-');
  const data = join(dir, 'data');
  const init = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr}`);
  const port = await freePort();
  const args = ['--no-defaults', `--datadir=${data}`, `--port=${port}`, `--socket=${dir}/sock`, '--bind-address=127.0.0.1', '--server-id=1', '--user=root', `--pid-file=${dir}/pid`, '--skip-name-resolve', '--innodb-buffer-pool-size=64M', '--innodb-flush-log-at-trx-commit=2', '--sync-binlog=0'];
  if (options.logBin !== false) args.push(`--log-bin=${data}/binlog`, '--binlog-format=ROW');
  const child: ChildProcess = spawn('mariadbd', [...args, ...(options.extraArgs ?? [])], { stdio: 'ignore' });
  const pool = mysql.createPool({ host: '127.0.0.1', port, user: 'root', connectionLimit: 4, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
  await waitFor(async () => { await pool.query('SELECT 1'); return true; }, { what: 'mariadbd to accept connections', timeoutMs: 30_000 });
  return {
    port,
    url: `mysql://root:@127.0.0.1:${port}`,
    async sql(statement, params) {
      const [rows] = await pool.query(statement, params);
      return rows as unknown[];
    },
    async stop() {
      await pool.end().catch(() => undefined);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
