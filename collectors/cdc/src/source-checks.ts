import type mysql from 'mysql2/promise';
import type { SourceAddress } from './config.ts';
import { openConnection } from './source-connection.ts';

/** A source that cannot be captured as configured; the message names the fix. */
export class SourceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceConfigError';
  }
}

export interface SourceInfo {
  version: string;
  isMariaDb: boolean;
}

/** Connects, translating the errors a user can fix into messages that say how. */
export async function connectChecked(source: SourceAddress): Promise<mysql.Connection> {
  try {
    return await openConnection(source);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const where = `${source.user}@${source.host}:${source.port}`;
    if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
      throw new SourceConfigError(`the source refused the login ${where}: check the user and password in --mysql mysql://USER:PASS@HOST:PORT`);
    }
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
      throw new SourceConfigError(`cannot reach the source at ${source.host}:${source.port} (${code}): check the host and port in --mysql and that the server runs`);
    }
    throw error;
  }
}

/**
 * What the connector needs from the server: the binlog on, in ROW format with full row images,
 * and the grants to read it and the tables. Checked once at start-up so that a misconfigured
 * source fails with the fix instead of with silence or a partial stream.
 */
export async function checkSource(connection: mysql.Connection, user: string): Promise<SourceInfo> {
  const [rows] = await connection.query('SELECT VERSION() AS version, @@GLOBAL.log_bin AS logBin, @@GLOBAL.binlog_format AS format, @@GLOBAL.binlog_row_image AS rowImage');
  const info = (rows as Record<string, unknown>[])[0]!;
  const version = String(info.version);
  const isMariaDb = /mariadb/i.test(version);
  if (Number(info.logBin) !== 1 && String(info.logBin).toUpperCase() !== 'ON') {
    throw new SourceConfigError('the binary log is off on the source: start the server with log_bin (e.g. --log-bin=mysql-bin) and server_id set, then restart it');
  }
  if (String(info.format).toUpperCase() !== 'ROW') {
    throw new SourceConfigError(`the source logs binlog_format=${String(info.format)}, the connector needs ROW: SET GLOBAL binlog_format='ROW' and put binlog_format=ROW in the server's configuration`);
  }
  if (String(info.rowImage).toUpperCase() !== 'FULL') {
    throw new SourceConfigError(`the source logs binlog_row_image=${String(info.rowImage)}, the connector needs FULL: SET GLOBAL binlog_row_image='FULL' and put it in the server's configuration`);
  }
  const [grantRows] = await connection.query('SHOW GRANTS FOR CURRENT_USER()');
  const grants = (grantRows as Record<string, string>[]).map((row) => Object.values(row)[0]!.toUpperCase());
  const global = grants.filter((g) => / ON \*\.\* TO /.test(g));
  const has = (privilege: string) => global.some((g) => g.includes('ALL PRIVILEGES') || g.includes(privilege));
  const missing: string[] = [];
  if (!has('REPLICATION SLAVE') && !has('REPLICATION REPLICA')) missing.push('REPLICATION SLAVE');
  if (!has('REPLICATION CLIENT') && !has('BINLOG MONITOR')) missing.push(isMariaDb ? 'BINLOG MONITOR' : 'REPLICATION CLIENT');
  if (!has('SELECT') && !grants.some((g) => /GRANT (.*, )?SELECT/.test(g))) missing.push('SELECT');
  if (missing.length > 0) {
    throw new SourceConfigError(`the source user '${user}' lacks ${missing.join(', ')}: GRANT ${missing.join(', ')} ON *.* TO '${user}'@'%' (SELECT may be limited to the captured databases)`);
  }
  return { version, isMariaDb };
}
