import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const FIX = 'run scripts/install-system-packages.sh, or apt-get install';

/** The path of a command, or an error naming the Debian package that provides it. */
export function requireBinary(command: string, debianPackage: string): string {
  if (command.startsWith('/')) {
    try {
      accessSync(command, constants.X_OK);
      return command;
    } catch {
      throw new Error(`${command} not found: install the Debian package '${debianPackage}' (${FIX} ${debianPackage})`);
    }
  }
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0 || found.stdout.trim() === '') {
    throw new Error(`${command} not found: install the Debian package '${debianPackage}' (${FIX} ${debianPackage})`);
  }
  return found.stdout.trim();
}

/** Debian's Python client packages import only under /usr/bin/python3. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export function requirePythonModule(module: string, debianPackage: string): void {
  requireBinary(DEBIAN_PYTHON, 'python3');
  const result = spawnSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`python module '${module}' is missing under ${DEBIAN_PYTHON}: install the Debian package '${debianPackage}' (${FIX} ${debianPackage})`);
  }
}
