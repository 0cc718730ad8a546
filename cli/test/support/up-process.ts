import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ManagedProcess, waitFor } from '@tributary/testkit';

const ROOT = join(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'cli/bin/tributary.mjs');

/**
 * A new user's checkout: the repository's tracked files as they are now (what a clone of this
 * change holds, without node_modules or data), installed with the README's `npm ci`.
 */
export function freshInstall(dir: string): string {
  const checkout = join(dir, 'checkout');
  mkdirSync(checkout);
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((file) => file && existsSync(join(ROOT, file)));
  const list = join(dir, 'files.txt');
  writeFileSync(list, tracked.join('\0'));
  execFileSync('tar', ['--null', '-T', list, '-cf', join(dir, 'checkout.tar')], { cwd: ROOT });
  execFileSync('tar', ['-xf', join(dir, 'checkout.tar'), '-C', checkout]);
  // --prefer-offline: the npm cache serves what it holds, the registry the rest.
  const install = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: checkout, encoding: 'utf8', timeout: 600_000 });
  assert.equal(install.status, 0, `npm ci in a fresh checkout failed:\n${(install.stderr ?? '').slice(-3000)}`);
  return checkout;
}

/**
 * How to launch up: the CLI of this checkout, or `npm start --` in another one. npm does not pass
 * SIGINT on to its script (a terminal's Ctrl-C reaches the whole process group), so npm runs in a
 * process group of its own and the test signals the group, as a terminal does.
 */
export type UpLauncher = { command: string; args: string[]; cwd?: string; processGroup?: boolean };

export const cliUp: UpLauncher = { command: process.execPath, args: [CLI, 'up'] };

export function npmStart(checkout: string): UpLauncher {
  return { command: 'npm', args: ['start', '--'], cwd: checkout, processGroup: true };
}

/** `tributary up` as a user runs it, with its output in dir/up.log. */
export function spawnUp(dir: string, args: string[], env: Record<string, string> = {}, launcher = cliUp): { up: ManagedProcess; output: () => string } {
  const logPath = join(dir, 'up.log');
  const up = new ManagedProcess(launcher.command, [...launcher.args, ...args], logPath, {
    env: { ...process.env, ...env },
    ...(launcher.cwd ? { cwd: launcher.cwd } : {}),
    detached: launcher.processGroup === true,
  });
  return { up, output: () => readFileSync(logPath, 'utf8') };
}

/** spawnUp, ready once it prints its URLs. */
export async function startUp(dir: string, args: string[], env: Record<string, string> = {}, launcher = cliUp): Promise<{ up: ManagedProcess; output: () => string }> {
  const started = spawnUp(dir, args, env, launcher);
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

/** Children, grandchildren and so on (npm start runs sh, which runs node). */
function descendants(pid: number): number[] {
  return childPids(pid).flatMap((child) => [child, ...descendants(child)]);
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

function leadsGroup(up: ManagedProcess): boolean {
  const pid = up.child.pid!;
  return execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim() === String(pid);
}

/** A process that leads its own group gets the signal as a terminal's Ctrl-C delivers it: to the group. */
function signalUp(up: ManagedProcess, signal: NodeJS.Signals): void {
  if (leadsGroup(up)) process.kill(-up.child.pid!, signal);
  else up.child.kill(signal);
}

/** Cleanup after a failed test: SIGTERM (to the group, for npm start), SIGKILL after the grace period. */
export async function stopUp(up: ManagedProcess): Promise<void> {
  if (!up.alive) return;
  signalUp(up, 'SIGTERM');
  await up.stop();
}

/**
 * Sends the signal and checks the clean stop: exit code 0, every part stopped (the broker last),
 * no process and no listener left. `servedBefore` lists the ports that must be served before the
 * signal (all of them once up is ready).
 */
export async function assertStopsCleanly(started: { up: ManagedProcess; output: () => string }, signal: NodeJS.Signals, ports: number[], servedBefore = ports): Promise<void> {
  const { up } = started;
  for (const port of servedBefore) assert.ok(await listening(port), `port ${port} is served while up runs`);
  const children = descendants(up.child.pid!);
  const group = leadsGroup(up);
  signalUp(up, signal);
  const keepAlive = setTimeout(() => undefined, 60_000);
  const code = await up.exited;
  clearTimeout(keepAlive);
  // npm dies of the group's SIGINT as any foreground process does; up's own exit shows in its log and in npm's silence.
  if (!group || code !== null) assert.equal(code, 0, `${signal} stops every part and exits 0`);
  // Children (tsx's esbuild service) end on their own once their parent is gone; allow them a moment.
  await waitFor(() => children.every((child) => !alive(child)), { what: `processes ${children.join(', ')} to end`, timeoutMs: 20_000, intervalMs: 100 });
  const log = started.output();
  assert.match(log, /"part":"broker","msg":"stopped"/, 'the broker, stopped last, stopped cleanly');
  assert.doesNotMatch(log, /stopping a part failed|shutdown failed|npm error/);
  for (const port of ports) assert.equal(await listening(port), false, `nothing listens on ${port} after the stop`);
}
