// Our broker, driven by librdkafka: kcat for bulk produce and consume (C loops), confluent-kafka
// under /usr/bin/python3 for topic setup, offset checks and the latency pair.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { freePort, waitFor } from '@tributary/testkit';
import { runClientOk, lastJsonLine, startServer } from '../support/processes.ts';
import { latencyPair } from '../support/latency-pair.ts';
import type { LatencyReport } from '../support/latency.ts';
import type { MeasuredSystem, Produced, RecordSet, SystemContext, Throughput } from './system.ts';

const python = '/usr/bin/python3';

export async function startTributary(ctx: SystemContext, opts: { partitions: number; cpuProfileDir?: string }): Promise<MeasuredSystem> {
  const port = await freePort();
  const adminPort = await freePort();
  const dataDir = join(ctx.workDir, 'tributary-data');
  mkdirSync(dataDir, { recursive: true });
  const nodeArgs = opts.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfileDir] : [];
  const server = startServer(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(ctx.repoRoot, 'cli/src/main.ts'), 'broker', 'start', '--port', String(port), '--admin-port', String(adminPort), '--data-dir', dataDir],
    { logPath: join(ctx.workDir, 'tributary.log'), cwd: ctx.repoRoot },
  );
  await waitFor(async () => (await fetch(`http://127.0.0.1:${adminPort}/health`)).status === 200, { what: 'tributary broker health', timeoutMs: 30_000 });
  const bootstrap = `127.0.0.1:${port}`;
  const script = join(ctx.repoRoot, 'broker/bench/clients/kafka_client.py');
  const pythonClient = async (args: string[]) => lastJsonLine<Record<string, unknown>>(await runClientOk(python, [script, bootstrap, ...args], { timeoutMs: ctx.timeoutMs }));
  const endOffset = async (topic: string) => Number((await pythonClient(['end-offset', topic])).endOffset);

  return {
    name: 'tributary',
    serverPid: server.pid,
    acks: ['1', 'all'],
    async produce(records: RecordSet, acks: '1' | 'all', run: string): Promise<Produced> {
      const topic = `bench-${run}`;
      await pythonClient(['create-topic', topic, String(opts.partitions)]);
      const result = await runClientOk(
        'kcat',
        ['-b', bootstrap, '-P', '-t', topic, '-l', records.path, '-X', `acks=${acks}`, '-X', 'linger.ms=5', '-X', 'queue.buffering.max.messages=2000000'],
        { timeoutMs: ctx.timeoutMs },
      );
      const stored = await endOffset(topic);
      if (stored !== records.count) throw new Error(`kcat produced ${stored} of ${records.count} records to ${topic}: ${result.stderr.slice(-500)}`);
      return { target: topic, messages: records.count, bytes: records.count * records.size, seconds: result.seconds, clientCpuSeconds: result.cpuSeconds };
    },
    async consume(topic: string, records: RecordSet): Promise<Throughput> {
      // -c stops at the last record, as the peers' consumers do; without it kcat learns of the end
      // only from an empty fetch, which the broker rightly parks for fetch.wait.max.ms (500 ms).
      // -e stays as a guard: it ends the run early, and loudly, should records be missing.
      const result = await runClientOk('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-c', String(records.count), '-e', '-f', '%s\n'], { timeoutMs: ctx.timeoutMs, discardStdout: true });
      const ends = [...result.stderr.matchAll(/Reached end of topic \S+ \[\d+\] at offset (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      if (ends > 0 && ends < records.count) throw new Error(`kcat found only ${ends} of ${records.count} records in ${topic}: ${result.stderr.slice(-500)}`);
      return { messages: records.count, bytes: records.count * records.size, seconds: result.seconds, clientCpuSeconds: result.cpuSeconds };
    },
    async latency(spec): Promise<LatencyReport> {
      const topic = 'bench-latency';
      await pythonClient(['create-topic', topic, '1']);
      return latencyPair(
        [python, [script, bootstrap, 'latency-sub', topic, String(spec.count), String(spec.warmup)]],
        [python, [script, bootstrap, 'latency-pub', topic, String(spec.count), String(spec.size), String(spec.rate)]],
        ctx.timeoutMs,
      );
    },
    stop: () => server.stop(),
  };
}
