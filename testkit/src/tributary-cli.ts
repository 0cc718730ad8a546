import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './run-dir.ts';

/**
 * Runs `tributary ...` from this checkout, as an operator would; resolves with its exit code and
 * output. A command still running after `timeoutMs` is killed and reported, so a hung command
 * fails the test with its output instead of stalling it.
 */
export function tributary(args: string[], input = '', env: Record<string, string> = {}, timeoutMs = 90_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'cli/bin/tributary.mjs'), ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n[testkit] tributary ${args.join(' ')} still running after ${timeoutMs} ms: killed`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}
