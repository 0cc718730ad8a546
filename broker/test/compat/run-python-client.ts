import { fileURLToPath } from 'node:url';
import { python } from '@tributary/testkit';
import type { ConsumedRecord } from './expected-records.ts';

const scripts = fileURLToPath(new URL('./python/', import.meta.url));

/** Runs one of the Python client scripts and fails with its output when it exits non-zero. */
export async function runPythonClient(script: string, args: Array<string | number>): Promise<string> {
  const result = await python(`${scripts}${script}`, args.map(String), { timeoutMs: 240_000 });
  if (result.code !== 0) throw new Error(`${script} exited ${result.code}\nstdout: ${result.stdout.slice(-2000)}\nstderr: ${result.stderr.slice(-4000)}`);
  return result.stdout;
}

export function parseJsonLines(output: string): ConsumedRecord[] {
  return output
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ConsumedRecord);
}
