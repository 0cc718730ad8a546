import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess, waitFor } from '@tributary/testkit';

const CLI = join(import.meta.dirname, '../../bin/tributary.mjs');

/** `tributary up` as a user runs it (npm start is `node cli/bin/tributary.mjs up`), with its output in dir/up.log. */
export function spawnUp(dir: string, args: string[], env: Record<string, string> = {}): { up: ManagedProcess; output: () => string } {
  const logPath = join(dir, 'up.log');
  const up = new ManagedProcess(process.execPath, [CLI, 'up', ...args], logPath, { env: { ...process.env, ...env } });
  return { up, output: () => readFileSync(logPath, 'utf8') };
}

/** spawnUp, ready once it prints its URLs. */
export async function startUp(dir: string, args: string[], env: Record<string, string> = {}): Promise<{ up: ManagedProcess; output: () => string }> {
  const started = spawnUp(dir, args, env);
  await started.up.untilReady(waitFor(() => started.output().includes('Press Ctrl-C to stop.'), { what: 'tributary up to print its URLs', timeoutMs: 120_000, intervalMs: 200 }), 'tributary up');
  return started;
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((line) => Number(line.trim())).filter((child) => child > 0);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Sends the signal and checks the clean stop: exit code 0, no child process and no listener left.
 * `servedBefore` lists the ports that must be served before the signal (all of them once up is ready).
 */
export async function assertStopsCleanly(up: ManagedProcess, signal: NodeJS.Signals, ports: number[], servedBefore = ports): Promise<void> {
  for (const port of servedBefore) assert.ok(await listening(port), `port ${port} is served while up runs`);
  const children = childPids(up.child.pid!);
  up.child.kill(signal);
  const keepAlive = setTimeout(() => undefined, 60_000);
  const code = await up.exited;
  clearTimeout(keepAlive);
  assert.equal(code, 0, `${signal} stops every part and exits 0`);
  // Children (tsx's esbuild service) end on their own once their parent is gone; allow them a moment.
  await waitFor(() => children.every((child) => !alive(child)), { what: `child processes ${children.join(', ')} to end`, timeoutMs: 10_000, intervalMs: 100 });
  for (const port of ports) assert.equal(await listening(port), false, `nothing listens on ${port} after the stop`);
}
