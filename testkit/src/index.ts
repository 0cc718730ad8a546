// Insurance testkit (minimal): broker, waitFor, freePort, python, kcat.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, openSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const children = new Set<ChildProcess>();
process.on('exit', () => { for (const child of children) child.kill('SIGKILL'); });

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(probe: () => T | Promise<T>, opts: { what: string; timeoutMs?: number; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) { last = error; }
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs ?? 30_000}ms waiting for ${opts.what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

export function requireBinary(command: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${command} not found: install the Debian package '${debianPackage}' (apt-get install ${debianPackage}, or run scripts/install-system-packages.sh)`);
  return found.stdout.trim();
}

export function requirePythonModule(module: string, debianPackage: string): void {
  const result = spawnSync('/usr/bin/python3', ['-c', `import ${module}`]);
  if (result.status !== 0) throw new Error(`python module ${module} not found under /usr/bin/python3: install the Debian package '${debianPackage}'`);
}

function run(command: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('close', (code) => { clearTimeout(timer); children.delete(child); resolve({ stdout, stderr, code: code ?? 1 }); });
    if (opts.input !== undefined) child.stdin.end(opts.input); else child.stdin.end();
  });
}

export function python(script: string, args: string[] = [], opts: { timeoutMs?: number; input?: string } = {}) {
  return run('/usr/bin/python3', [script, ...args], opts);
}

export function kcat(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}) {
  return run('kcat', args, opts);
}

export interface BrokerInstance {
  port: number; adminPort: number; bootstrap: string; dataDir: string; logPath: string;
  stop(): Promise<void>; kill9(): void; restart(): Promise<void>;
}

export async function startBroker(opts: { config?: Record<string, string | number | boolean> } = {}): Promise<BrokerInstance> {
  const dir = mkdtempSync('/tmp/tk-broker-');
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const adminPort = await freePort();
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, `broker:\n${Object.entries(opts.config ?? {}).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}\n`);
  const logPath = join(dir, 'broker.log');
  let child: ChildProcess | null = null;
  const launch = async () => {
    const out = openSync(logPath, 'a');
    child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/src/main.ts'), 'broker', 'start', '--port', String(port), '--admin-port', String(adminPort), '--data-dir', dataDir, '--config', configPath], { stdio: ['ignore', out, out], cwd: repoRoot });
    children.add(child);
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`broker exited ${code}: ${readFileSync(logPath, 'utf8').slice(-2000)}`))));
    exited.catch(() => undefined);
    await Promise.race([exited, waitFor(async () => (await fetch(`http://127.0.0.1:${adminPort}/health`)).status === 200, { what: 'broker health', timeoutMs: 30_000 })]);
  };
  await launch();
  const instance: BrokerInstance = {
    port, adminPort, bootstrap: `127.0.0.1:${port}`, dataDir, logPath,
    async stop() {
      const c = child; if (!c || c.exitCode !== null) return;
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await done; clearTimeout(t); children.delete(c);
    },
    kill9() { child?.kill('SIGKILL'); },
    async restart() {
      const c = child; if (c && c.exitCode === null && c.signalCode === null) await new Promise((r) => { c.once('exit', r); }); 
      await launch();
    },
  };
  return instance;
}
