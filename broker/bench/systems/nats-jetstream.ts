// Peer: a private NATS server (Debian nats-server) with JetStream on file storage, driven by the
// `nats` npm client in its own process.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { freePort, waitFor } from '@tributary/testkit';
import { connect } from 'node:net';
import { lastJsonLine, runClientOk, startServer } from '../support/processes.ts';
import { latencyPair } from '../support/latency-pair.ts';
import type { MeasuredSystem, Produced, RecordSet, SystemContext, Throughput } from './system.ts';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export interface NatsJetStream extends MeasuredSystem {
  /** Publishing with a JetStream ack per message through nats.js, where the client caps out. */
  produceAcked(records: RecordSet, run: string): Promise<Produced>;
}

export async function startNatsJetStream(ctx: SystemContext): Promise<NatsJetStream> {
  const port = await freePort();
  const storeDir = join(ctx.workDir, 'nats-store');
  mkdirSync(storeDir, { recursive: true });
  const server = startServer('/usr/sbin/nats-server', ['-js', '-sd', storeDir, '-p', String(port), '-a', '127.0.0.1'], { logPath: join(ctx.workDir, 'nats.log') });
  await waitFor(() => accepts(port), { what: 'nats-server', timeoutMs: 15_000 });
  const script = join(ctx.repoRoot, 'broker/bench/clients/nats-client.ts');
  const client = (args: string[]) => runClientOk(process.execPath, ['--import', 'tsx', script, String(port), ...args], { timeoutMs: ctx.timeoutMs });
  const streamName = (run: string) => `BENCH_${run.replace(/[^A-Za-z0-9]/g, '_')}`;

  return {
    name: 'NATS JetStream',
    serverPid: server.pid,
    acks: ['1'],
    async produce(records: RecordSet, _acks, run): Promise<Produced> {
      const stream = streamName(run);
      await client(['create-stream', stream]);
      const result = await client(['produce', stream, String(records.count), String(records.size)]);
      const report = lastJsonLine<{ seconds: number; cpuSeconds: number }>(result);
      return { target: stream, messages: records.count, bytes: records.count * records.size, seconds: report.seconds, clientCpuSeconds: report.cpuSeconds };
    },
    async consume(stream, records): Promise<Throughput> {
      const result = await client(['consume', stream, String(records.count)]);
      const report = lastJsonLine<{ messages: number; bytes: number; seconds: number; cpuSeconds: number }>(result);
      if (report.messages !== records.count) throw new Error(`nats consumer got ${report.messages} of ${records.count}`);
      return { messages: report.messages, bytes: report.bytes, seconds: report.seconds, clientCpuSeconds: report.cpuSeconds };
    },
    async latency(spec) {
      const stream = streamName('latency');
      await client(['create-stream', stream]);
      const node = (args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', script, String(port), ...args]];
      return latencyPair(
        node(['latency-sub', stream, String(spec.count), String(spec.warmup)]),
        node(['latency-pub', stream, String(spec.count), String(spec.size), String(spec.rate)]),
        ctx.timeoutMs,
      );
    },
    async produceAcked(records, run) {
      const stream = streamName(run);
      await client(['create-stream', stream]);
      const result = await client(['produce-acked', stream, String(records.count), String(records.size), '1000']);
      const report = lastJsonLine<{ seconds: number; cpuSeconds: number }>(result);
      return { target: stream, messages: records.count, bytes: records.count * records.size, seconds: report.seconds, clientCpuSeconds: report.cpuSeconds };
    },
    stop: () => server.stop(),
  };
}
