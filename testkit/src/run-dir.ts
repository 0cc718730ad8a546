import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * All instances of one test process live under one run directory in .tmp/testkit. It is
 * removed when the process ends successfully and kept, with every service log in it, when a
 * test failed (node:test sets a non-zero exit code), so CI output can point at the logs.
 */
const runDir = join(repoRoot, '.tmp', 'testkit', `${process.pid}-${Date.now()}`);
let registered = false;

export function instanceDir(service: string): string {
  mkdirSync(runDir, { recursive: true });
  if (!registered) {
    registered = true;
    process.on('exit', (code) => {
      if (code === 0 && !process.exitCode) rmSync(runDir, { recursive: true, force: true });
      else process.stderr.write(`testkit: service logs kept in ${runDir}\n`);
    });
  }
  return mkdtempSync(join(runDir, `${service}-`));
}
