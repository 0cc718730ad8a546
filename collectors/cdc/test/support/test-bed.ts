import { after, before } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBroker, type BrokerInstance } from '@tributary/testkit';
import type { CdcConnector } from '../../src/index.ts';
import { startMariaDb, type MariaDb } from './mariadb.ts';

export interface TestBed {
  db: MariaDb;
  broker: BrokerInstance;
  /** The test's running connector, if any: stopped after the file's tests so none outlives them. */
  connector: CdcConnector | null;
  /** Runs a connector in its own process, so that a test can kill -9 it; killed after the file's tests. */
  spawnConnector(settings: Record<string, unknown>, label: string): ChildProcess;
}

/** A private MariaDB and broker shared by the tests of one file, started before them and stopped after. */
export function useTestBed(): TestBed {
  const children: ChildProcess[] = [];
  const bed = { connector: null, spawnConnector: (settings, label) => spawnConnector(settings, label, children) } as TestBed;
  before(async () => {
    [bed.db, bed.broker] = await Promise.all([startMariaDb(), startBroker()]);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await bed.connector?.stop();
    await Promise.all([bed.db?.stop(), bed.broker?.stop()]);
  });
  return bed;
}

function spawnConnector(settings: Record<string, unknown>, label: string, children: ChildProcess[]): ChildProcess {
  const script = fileURLToPath(new URL('./connector-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  // The connector's warnings show in the test output, and a full pipe never stalls it.
  child.stdout!.on('data', (data) => process.stderr.write(`[${label}] ${data}`));
  return child;
}
