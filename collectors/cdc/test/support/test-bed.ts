import { after, before } from 'node:test';
import { startBroker, type BrokerInstance } from '@tributary/testkit';
import type { CdcConnector } from '../../src/index.ts';
import { startMariaDb, type MariaDb } from './mariadb.ts';

export interface TestBed {
  db: MariaDb;
  broker: BrokerInstance;
  /** The test's running connector, if any: stopped after the file's tests so none outlives them. */
  connector: CdcConnector | null;
}

/** A private MariaDB and broker shared by the tests of one file, started before them and stopped after. */
export function useTestBed(): TestBed {
  const bed = { connector: null } as TestBed;
  before(async () => {
    [bed.db, bed.broker] = await Promise.all([startMariaDb(), startBroker()]);
  });
  after(async () => {
    await bed.connector?.stop();
    await Promise.all([bed.db?.stop(), bed.broker?.stop()]);
  });
  return bed;
}
