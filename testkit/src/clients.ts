import { spawn } from 'node:child_process';
import { DEBIAN_PYTHON, requireBinary } from './binaries.ts';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const children = new Set<ReturnType<typeof spawn>>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

function run(command: string, args: string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (data) => (stdout += data));
    child.stderr!.on('data', (data) => (stderr += data));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${options.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin!.end(options.input ?? '');
  });
}

/** Runs a script with Debian's /usr/bin/python3, where python3-kafka and python3-confluent-kafka live. */
export function python(script: string, args: string[] = [], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run(requireBinary(DEBIAN_PYTHON, 'python3'), [script, ...args], options);
}

export function kcat(args: string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  return run(requireBinary('kcat', 'kcat'), args, options);
}
