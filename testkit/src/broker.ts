import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.ts';
import { instanceDir, repoRoot } from './run-dir.ts';
import { freePort, waitFor } from './wait.ts';

export interface BrokerInstance {
  port: number;
  adminPort: number;
  bootstrap: string;
  dataDir: string;
  logPath: string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
  /** Starts again on the same ports and data dir (after stop or kill9). */
  restart(): Promise<void>;
}

export interface BrokerOptions {
  brokerId?: number;
  zookeeper?: string;
  config?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}

/** A broker process from this checkout's `tributary broker start`, ready when /health answers 200. */
export async function startBroker(options: BrokerOptions = {}): Promise<BrokerInstance> {
  const dir = instanceDir(`broker${options.brokerId ?? ''}`);
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const adminPort = await freePort();
  const configPath = join(dir, 'broker.yaml');
  const settings = Object.entries(options.config ?? {}).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
  writeFileSync(configPath, `broker:\n${settings.join('\n')}\n`);
  const logPath = join(dir, 'broker.log');
  const args = [
    '--import', 'tsx', join(repoRoot, 'cli/src/main.ts'), 'broker', 'start',
    '--port', String(port), '--admin-port', String(adminPort), '--data-dir', dataDir, '--config', configPath,
  ];
  if (options.brokerId !== undefined) args.push('--broker-id', String(options.brokerId));
  if (options.zookeeper) args.push('--zookeeper', options.zookeeper);
  let process_: ManagedProcess;
  const launch = async () => {
    process_ = new ManagedProcess(process.execPath, args, logPath, { cwd: repoRoot, env: { ...process.env, ...options.env } });
    await process_.untilReady(
      waitFor(async () => (await fetch(`http://127.0.0.1:${adminPort}/health`)).status === 200, { what: `broker on port ${port}`, timeoutMs: 60_000 }),
      'broker',
    );
  };
  await launch();
  return {
    port,
    adminPort,
    bootstrap: `127.0.0.1:${port}`,
    dataDir,
    logPath,
    stop: () => process_.stop(),
    kill9: () => process_.kill9(),
    async restart() {
      await process_.stop();
      await launch();
    },
  };
}
