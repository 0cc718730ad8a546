// Redis Streams latency client (ioredis), run as its own process; bulk produce and consume use
// redis-benchmark, a C client, instead. It prints one JSON report line.
//   redis-client.ts <port> latency-sub <stream> <count> <warmup>
//   redis-client.ts <port> latency-pub <stream> <count> <size> <rate>
import { Redis } from 'ioredis';
import { latencyMicros, latencyReport, paced, stampedPayload } from '../support/latency.ts';

const [port, mode, stream, ...args] = process.argv.slice(2);
const report = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

type StreamReply = [Buffer, [Buffer, Buffer[]][]][] | null;

async function latencySub(redis: Redis, count: number, warmup: number): Promise<void> {
  await redis.xgroup('CREATE', stream!, 'latency', '0', 'MKSTREAM');
  report({ ready: true });
  const samples: number[] = [];
  while (samples.length < count) {
    const reply = (await redis.callBuffer('XREADGROUP', 'GROUP', 'latency', 'c1', 'COUNT', '1000', 'BLOCK', '1000', 'NOACK', 'STREAMS', stream!, '>')) as StreamReply;
    for (const [, entries] of reply ?? []) {
      for (const [, fields] of entries) samples.push(latencyMicros(fields[1]!));
    }
  }
  report(latencyReport(samples, warmup));
}

async function latencyPub(redis: Redis, count: number, size: number, rate: number): Promise<void> {
  const acks: Promise<unknown>[] = [];
  await paced(count, rate, () => {
    acks.push(redis.xadd(stream!, '*', 'd', stampedPayload(size)));
  });
  await Promise.all(acks);
  report({ published: count });
}

const redis = new Redis({ host: '127.0.0.1', port: Number(port), lazyConnect: true });
await redis.connect();
const n = args.map(Number);
switch (mode) {
  case 'latency-sub': await latencySub(redis, n[0]!, n[1]!); break;
  case 'latency-pub': await latencyPub(redis, n[0]!, n[1]!, n[2]!); break;
  default: throw new Error(`unknown mode ${mode}`);
}
redis.disconnect();
