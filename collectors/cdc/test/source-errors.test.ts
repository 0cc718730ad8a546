import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceConfigError } from '../src/index.ts';
import { startMariaDb, type MariaDb } from './support/mariadb.ts';
import { startConnector } from './support/harness.ts';

let db: MariaDb;
let noBinlog: MariaDb;

before(async () => {
  [db, noBinlog] = await Promise.all([startMariaDb(), startMariaDb({ logBin: false })]);
  await db.sql("CREATE USER 'cdc'@'%' IDENTIFIED BY 'right'");
  await db.sql("GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO 'cdc'@'%'");
  await db.sql("CREATE USER 'reader'@'%' IDENTIFIED BY 'pw'");
  await db.sql("GRANT SELECT ON *.* TO 'reader'@'%'");
});

after(async () => {
  await Promise.all([db?.stop(), noBinlog?.stop()]);
});

// The broker is never reached: the source is checked first, so an unreachable bootstrap is fine.
const start = (url: string) => startConnector({ mysql: url, 'server.name': 'bad', 'bootstrap.servers': '127.0.0.1:1', 'status.port': 0 });

async function assertFix(url: string, pattern: RegExp) {
  await assert.rejects(start(url), (error: Error) => {
    assert.ok(error instanceof SourceConfigError, `expected a SourceConfigError, got ${error.stack}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('binlog off: names log_bin', async () => {
  await assertFix(noBinlog.url, /binary log is off.*log_bin/);
});

test('STATEMENT format: names binlog_format=ROW', async () => {
  await db.sql("SET GLOBAL binlog_format = 'STATEMENT'");
  try {
    await assertFix(db.url, /binlog_format=STATEMENT.*SET GLOBAL binlog_format='ROW'/);
  } finally {
    await db.sql("SET GLOBAL binlog_format = 'ROW'");
  }
});

test('MINIMAL row image: names binlog_row_image=FULL', async () => {
  await db.sql("SET GLOBAL binlog_row_image = 'MINIMAL'");
  try {
    await assertFix(db.url, /binlog_row_image=MINIMAL.*FULL/);
  } finally {
    await db.sql("SET GLOBAL binlog_row_image = 'FULL'");
  }
});

test('wrong password: names the credentials in --mysql', async () => {
  await assertFix(`mysql://cdc:wrong@127.0.0.1:${db.port}`, /refused the login cdc@127\.0\.0\.1.*check the user and password/);
});

test('missing grants: names the GRANT to run', async () => {
  await assertFix(`mysql://reader:pw@127.0.0.1:${db.port}`, /'reader' lacks REPLICATION SLAVE, BINLOG MONITOR: GRANT REPLICATION SLAVE, BINLOG MONITOR ON \*\.\* TO 'reader'/);
});

test('nothing listening: names host and port', async () => {
  await assertFix('mysql://root:@127.0.0.1:1', /cannot reach the source at 127\.0\.0\.1:1/);
});
