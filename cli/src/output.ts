/** Prints rows as an aligned table for people, or as JSON for scripts (--output json). */
export function printRows(rows: Array<Record<string, unknown>>, format: string, columns?: string[]): void {
  if (format === 'json') {
    process.stdout.write(JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? Number(value) : value)) + '\n');
    return;
  }
  const keys = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const cell = (value: unknown) => (Array.isArray(value) ? value.join(',') : value === null || value === undefined ? '-' : String(value));
  const widths = keys.map((key) => Math.max(key.length, ...rows.map((row) => cell(row[key]).length)));
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(line(keys.map((key) => key.toUpperCase())) + '\n');
  for (const row of rows) process.stdout.write(line(keys.map((key) => cell(row[key]))) + '\n');
}

