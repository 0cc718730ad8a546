// Child processes for benchmarks: servers that run for a whole phase, and clients whose wall time,
// CPU time and output are the measurement.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';

const clockTicks = 100; // USER_HZ on Linux, which /proc/<pid>/stat counts in

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** CPU seconds (user + system, all threads) a live process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces, so count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return 0;
  }
}

export interface Server {
  pid: number;
  stop(): Promise<void>;
}

/** Starts a long-running server whose output goes to logPath. */
export function startServer(command: string, args: string[], opts: { logPath: string; cwd?: string }): Server {
  const out = openSync(opts.logPath, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out], cwd: opts.cwd });
  closeSync(out);
  running.add(child);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
}

export interface ClientRun {
  code: number;
  seconds: number;
  /** Sampled every 50 ms while the process lives, so the last few milliseconds are not counted. */
  cpuSeconds: number;
  stdout: string;
  stderr: string;
}

export interface ClientOptions {
  stdinPath?: string;
  /** Discard stdout instead of collecting it (bulk consumers print every record). */
  discardStdout?: boolean;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Called with each stdout line, e.g. to learn that a subscriber is ready. */
  onLine?: (line: string) => void;
}

/** Runs a client to completion, measuring its wall time from spawn to exit. */
export function runClient(command: string, args: string[], opts: ClientOptions): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const stdin = opts.stdinPath ? openSync(opts.stdinPath, 'r') : 'ignore';
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      stdio: [stdin, opts.discardStdout ? 'ignore' : 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    if (typeof stdin === 'number') closeSync(stdin);
    running.add(child);
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!opts.onLine) return;
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        opts.onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    let cpu = 0;
    const sampler = setInterval(() => {
      if (child.pid !== undefined) cpu = Math.max(cpu, cpuSeconds(child.pid));
    }, 50);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (error) => {
      clearInterval(sampler);
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearInterval(sampler);
      clearTimeout(timer);
      running.delete(child);
      if (signal === 'SIGKILL') {
        reject(new Error(`${command} ${args.join(' ')} did not finish within ${opts.timeoutMs} ms: ${stderr.slice(-500)}`));
        return;
      }
      resolve({ code: code ?? 1, seconds, cpuSeconds: cpu, stdout, stderr });
    });
  });
}

/** Runs a client and fails with its stderr unless it exits 0. */
export async function runClientOk(command: string, args: string[], opts: ClientOptions): Promise<ClientRun> {
  const result = await runClient(command, args, opts);
  if (result.code !== 0) throw new Error(`${command} ${args.slice(0, 6).join(' ')} ... exited ${result.code}: ${result.stderr.slice(-1000)}`);
  return result;
}

/** The last line of a client's stdout parsed as JSON: clients report their own measurements that way. */
export function lastJsonLine<T>(run: ClientRun): T {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`expected a JSON report from the client, got '${line.slice(0, 200)}' (stderr: ${run.stderr.slice(-500)})`);
  }
}
