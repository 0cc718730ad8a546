import { parseArgs } from 'node:util';
import { openFileSystem, queryLanded } from '@tributary/hdfs-sink';
import { UsageError } from '../command.ts';
import { printRows } from '../output.ts';
import { loadSinkConfig } from './sink-config.ts';
import { stringOptions } from './flag-values.ts';

/** DuckDB answers BIGINT as bigint and TIMESTAMP as Date; print them exactly and readably. */
function printable(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  return value;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string' }, output: { type: 'string', default: 'table' }, ...stringOptions(['root']) }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('give one SQL statement in quotes, e.g. tributary query "SELECT count(*) FROM \\"tracking.events\\""');
  if (values.output !== 'table' && values.output !== 'json') throw new UsageError(`--output must be table or json, got '${values.output}'`);
  const config = loadSinkConfig(values, ['root']);
  const fs = openFileSystem(config.root);
  try {
    const result = await queryLanded(fs, positionals[0]!);
    const rows = result.rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, printable(value)])));
    printRows(rows, values.output, result.columns);
  } finally {
    await fs.close();
  }
  return 0;
}
