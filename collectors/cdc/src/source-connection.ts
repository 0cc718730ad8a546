import mysql from 'mysql2/promise';
import type { SourceAddress } from './config.ts';

/**
 * Connection options shared by the snapshot and the binlog reader, chosen so that both hand
 * values over alike and exactly: 64-bit integers and DECIMAL as strings, temporals as strings
 * with every fractional digit, TIMESTAMP in UTC, JSON as text.
 */
export function connectionOptions(source: SourceAddress) {
  return {
    host: source.host,
    port: source.port,
    user: source.user,
    password: source.password,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true as const,
    timezone: 'Z',
    jsonStrings: true,
    charset: 'utf8mb4_general_ci',
    connectTimeout: 10_000,
  };
}

export async function openConnection(source: SourceAddress): Promise<mysql.Connection> {
  const connection = await mysql.createConnection(connectionOptions(source));
  await connection.query("SET time_zone = '+00:00'");
  return connection;
}
