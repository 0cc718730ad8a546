import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.ts';
import { instanceDir, repoRoot } from './run-dir.ts';
import { freePort, waitFor } from './wait.ts';

export interface BrokerInstance {
  /** The client port: --port, or with `listeners` set the first listener's (the one brokers register first). */
  port: number;
  adminPort: number;
  bootstrap: string;
  dataDir: string;
  logPath: string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
  /** Freezes the broker (SIGSTOP) without closing its connections or its ZooKeeper session. */
  pause(): void;
  resume(): void;
  /** Starts again on the same ports and data dir (after stop or kill9). */
  restart(): Promise<void>;
}

export interface BrokerOptions {
  brokerId?: number;
  zookeeper?: string;
  config?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}

function firstListenerPort(listeners: string | number | boolean | undefined): number | undefined {
  if (typeof listeners !== 'string') return undefined;
  const port = Number(/:(\d+)\s*(?:,|$)/.exec(listeners)?.[1]);
  return port > 0 ? port : undefined;
}

/** A broker process from this checkout's `tributary broker start`, ready when /health answers 200. */
export async function startBroker(options: BrokerOptions = {}): Promise<BrokerInstance> {
  const dir = instanceDir(`broker${options.brokerId ?? ''}`);
  const dataDir = join(dir, 'data');
  // With `listeners` set the broker ignores --port, so clients must use a listener's own port.
  const port = firstListenerPort(options.config?.listeners) ?? (await freePort());
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
    // A broker that exits stops the polling too, so a start expected to fail leaves no timer
    // keeping the test process alive for the whole timeout; untilReady reports it with the log.
    const healthy = async () => !process_.alive || (await fetch(`http://127.0.0.1:${adminPort}/health`)).status === 200;
    await process_.untilReady(waitFor(healthy, { what: `broker on port ${port}`, timeoutMs: 60_000 }), 'broker');
    if (!process_.alive) await process_.untilReady(new Promise<never>(() => undefined), 'broker');
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
    pause: () => process_.pause(),
    resume: () => process_.resume(),
    async restart() {
      await process_.stop();
      await launch();
    },
  };
}
