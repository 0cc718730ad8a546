// Peer: a private redis-server with an append-only file written without fsync (as Kafka and
// JetStream leave flushing to the OS), loaded by redis-benchmark (C) with pipelining for XADD and
// XREADGROUP, and by ioredis in its own processes for latency.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { freePort, waitFor } from '@tributary/testkit';
import { runClient, runClientOk, startServer } from '../support/processes.ts';
import { latencyPair } from '../support/latency-pair.ts';
import { payload } from '../support/payloads.ts';
import type { MeasuredSystem, Produced, RecordSet, SystemContext, Throughput } from './system.ts';

/** redis-benchmark --csv: "name","rps",... on its last line. */
function requestsPerSecond(csv: string): number {
  const fields = csv.trim().split('\n').at(-1)?.match(/"([^"]*)"/g) ?? [];
  const rps = Number(fields[1]?.replaceAll('"', ''));
  if (!Number.isFinite(rps) || rps <= 0) throw new Error(`unexpected redis-benchmark output: ${csv.slice(-300)}`);
  return rps;
}

export async function startRedisStreams(ctx: SystemContext): Promise<MeasuredSystem> {
  const port = await freePort();
  const dir = join(ctx.workDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const server = startServer('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'no', '--daemonize', 'no'], { logPath: join(ctx.workDir, 'redis.log') });
  const cli = (args: string[]) => runClientOk('redis-cli', ['-p', String(port), ...args], { timeoutMs: ctx.timeoutMs });
  await waitFor(async () => (await runClient('redis-cli', ['-p', String(port), 'PING'], { timeoutMs: 5000 })).stdout.includes('PONG'), { what: 'redis-server', timeoutMs: 15_000 });
  const benchmark = (args: string[]) => runClientOk('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '--csv', ...args], { timeoutMs: ctx.timeoutMs });
  const script = join(ctx.repoRoot, 'broker/bench/clients/redis-client.ts');
  let previous: string | undefined;

  return {
    name: 'Redis Streams',
    serverPid: server.pid,
    acks: ['1'],
    async produce(records: RecordSet, _acks, run): Promise<Produced> {
      // Only the newest stream is kept, so memory holds one data set at a time.
      if (previous) await cli(['DEL', previous]);
      const key = `bench-${run}`;
      previous = key;
      const value = payload(records.size).toString('latin1');
      const result = await benchmark(['-n', String(records.count), '-c', '4', '-P', '64', 'XADD', key, '*', 'd', value]);
      // With pipelining redis-benchmark may send up to connections × pipeline requests beyond -n.
      const length = Number((await cli(['XLEN', key])).stdout.trim());
      if (length < records.count) throw new Error(`redis stream ${key} holds ${length} of ${records.count} entries`);
      return { target: key, messages: length, bytes: length * records.size, seconds: length / requestsPerSecond(result.stdout), clientCpuSeconds: result.cpuSeconds };
    },
    async consume(key, records, run): Promise<Throughput> {
      const perRead = 1000;
      if (records.count % perRead !== 0) throw new Error(`the Redis consume phase needs a record count that is a multiple of ${perRead}`);
      const group = `g-${run}`;
      await cli(['XGROUP', 'CREATE', key, group, '0']);
      const result = await benchmark(['-n', String(records.count / perRead), '-c', '1', '-P', '4', 'XREADGROUP', 'GROUP', group, 'c1', 'COUNT', String(perRead), 'NOACK', 'STREAMS', key, '>']);
      const info = (await cli(['XINFO', 'GROUPS', key])).stdout.split('\n');
      const fields = info.slice(info.indexOf(group));
      const read = Number(fields[fields.indexOf('entries-read') + 1]);
      if (read < records.count) throw new Error(`redis group ${group} read ${read} of ${records.count} entries`);
      const seconds = records.count / perRead / requestsPerSecond(result.stdout);
      return { messages: records.count, bytes: records.count * records.size, seconds, clientCpuSeconds: result.cpuSeconds };
    },
    async latency(spec) {
      const node = (args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', script, String(port), ...args]];
      return latencyPair(
        node(['latency-sub', 'bench-latency', String(spec.count), String(spec.warmup)]),
        node(['latency-pub', 'bench-latency', String(spec.count), String(spec.size), String(spec.rate)]),
        ctx.timeoutMs,
      );
    },
    stop: () => server.stop(),
  };
}
