import { parseArgs } from 'node:util';
import type { ConnectorStatus } from '@tributary/cdc';
import { UsageError } from '../command.ts';

/** Asks a running connector's status endpoint and prints position, lag, rate and snapshot progress. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'status-url': { type: 'string', default: 'http://127.0.0.1:8083' }, output: { type: 'string', default: 'table' } },
    strict: true,
  });
  if (values.output !== 'table' && values.output !== 'json') throw new UsageError(`--output must be table or json, got '${values.output}'`);
  let status: ConnectorStatus;
  try {
    const response = await fetch(new URL('/status', values['status-url']));
    status = (await response.json()) as ConnectorStatus;
  } catch (error) {
    throw new Error(`no connector answers at ${values['status-url']} (${(error as Error).message}); start one with 'tributary cdc start' or pass --status-url`);
  }
  if (values.output === 'json') {
    process.stdout.write(JSON.stringify(status) + '\n');
    return 0;
  }
  // Inside a transaction the position names its start plus Debezium's event/row skip counts.
  const within = (p: NonNullable<ConnectorStatus['position']>) => (p.event || p.row ? ` +${p.event ?? 0} events, ${p.row ?? 0} rows` : '');
  const position = (p: ConnectorStatus['position']) => (p ? `${p.file}:${p.pos}${within(p)}${p.gtids ? ` (${p.gtids})` : ''}` : '-');
  const rows: [string, string][] = [
    ['server', status.server],
    ['phase', status.phase],
    ['position', position(status.position)],
    ['stored position', position(status.storedPosition)],
    ['lag (s)', status.lagSeconds === null ? '-' : status.lagSeconds.toFixed(1)],
    ['rows/s', String(status.rowsPerSecond)],
    ['rows total', String(status.rowsTotal)],
    ['reconnects', String(status.reconnects)],
  ];
  if (status.snapshot) {
    const s = status.snapshot;
    rows.push(['snapshot', `${s.tablesDone}/${s.tables} tables, ${s.rowsDone}/${Math.max(s.rowsEstimated, s.rowsDone)} rows${s.table ? `, reading ${s.table}` : ''}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
  return 0;
}
