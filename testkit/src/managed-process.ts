import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

const running = new Set<ChildProcess>();
// Whatever happens to a test file, its services die with it, so CI never hangs on a stray
// ZooKeeper or MariaDB.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The last part of a log file, for error messages. */
export function tail(path: string, bytes = 3000): string {
  try {
    const content = readFileSync(path, 'utf8');
    return content.slice(-bytes);
  } catch {
    return '(no log)';
  }
}

/**
 * A service process whose output goes to a log file. `exited` rejects while the process is
 * expected to run, so a start can race it against readiness and fail with the log's tail.
 */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(command: string, args: string[], readonly logPath: string, options: SpawnOptions = {}) {
    const out = openSync(logPath, 'a');
    this.child = spawn(command, args, { ...options, stdio: ['ignore', out, out] });
    closeSync(out);
    // A service must never keep a test process alive: a failed test that did not stop its
    // services still lets the process end, and the exit hook below kills them.
    this.child.unref();
    running.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        running.delete(this.child);
        resolve(code);
      });
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Rejects if the process exits before `ready` resolves. */
  async untilReady<T>(ready: Promise<T>, what: string): Promise<T> {
    const died = this.exited.then((code) => {
      throw new Error(`${what} exited with code ${code} before it was ready; log ${this.logPath}:\n${tail(this.logPath)}`);
    });
    return Promise.race([ready, died]);
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    let keepAlive: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      this.child.kill('SIGKILL');
      // The child is unref'd: without a pending timer this process could end before the exit arrives.
      keepAlive = setTimeout(() => undefined, 30_000);
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    clearTimeout(keepAlive);
  }

  /** SIGSTOP / SIGCONT: the process keeps its sockets and sessions but does nothing meanwhile. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    // The child is unref'd; a pending timer keeps this process up until the exit arrives.
    const keepAlive = setTimeout(() => undefined, 30_000);
    await this.exited;
    clearTimeout(keepAlive);
  }
}
