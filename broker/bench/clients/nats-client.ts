// NATS JetStream load generator (the `nats` npm client), run as its own process so it has its own
// event loop and core, as kcat has for the Kafka side. It prints one JSON report line.
//   nats-client.ts <port> create-stream <stream>
//   nats-client.ts <port> produce <stream> <count> <size>
//   nats-client.ts <port> produce-acked <stream> <count> <size> <window>
//   nats-client.ts <port> consume <stream> <count>
//   nats-client.ts <port> latency-sub <stream> <count> <warmup>
//   nats-client.ts <port> latency-pub <stream> <count> <size> <rate>
import { connect, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { payload } from '../support/payloads.ts';
import { latencyMicros, latencyReport, paced, stampedPayload } from '../support/latency.ts';

const [port, mode, stream, ...args] = process.argv.slice(2);
const subject = `${stream}.data`;
const report = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
// CPU of the measured part only: the process's start-up (tsx, connecting) is not the load.
const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

async function createStream(nc: NatsConnection): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream!, subjects: [subject], storage: StorageType.File, retention: RetentionPolicy.Limits, num_replicas: 1 });
  report({ created: stream });
}

/**
 * Publishes to the stream's subject without a JetStream ack per message and stops the clock when
 * the stream reports every message stored: the nats.js acked publish costs the client a core at
 * a fraction of the server's rate, so this is the server's store rate, the peer's best figure.
 */
async function produce(nc: NatsConnection, count: number, size: number): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const data = payload(size);
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 1; i <= count; i++) {
    nc.publish(subject, data);
    // A flush round trip now and then keeps the client's outbound buffer bounded.
    if (i % 1000 === 0) await nc.flush();
  }
  await nc.flush();
  for (;;) {
    const { messages } = (await jsm.streams.info(stream!)).state;
    if (messages >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  report({ messages: count, bytes: count * size, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: cpuSince(cpuStart) });
}

/** Publishes with JetStream acknowledgements, keeping up to `window` publishes unacknowledged. */
async function produceAcked(nc: NatsConnection, count: number, size: number, window: number): Promise<void> {
  const js = nc.jetstream();
  const data = payload(size);
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let failure: unknown;
  const settle = () => {
    inFlight--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < count && failure === undefined; i++) {
    while (inFlight >= window) await new Promise<void>((resolve) => (wake = resolve));
    inFlight++;
    js.publish(subject, data).then(settle, (error: unknown) => {
      failure = error;
      settle();
    });
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  if (failure !== undefined) throw failure;
  report({ messages: count, bytes: count * size, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: cpuSince(cpuStart) });
}

async function consume(nc: NatsConnection, count: number): Promise<void> {
  const consumer = await nc.jetstream().consumers.get(stream!);
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const messages = await consumer.consume({ max_messages: 10_000 });
  let received = 0;
  let bytes = 0;
  for await (const message of messages) {
    received++;
    bytes += message.data.length;
    if (received >= count) break;
  }
  report({ messages: received, bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: cpuSince(cpuStart) });
}

async function latencySub(nc: NatsConnection, count: number, warmup: number): Promise<void> {
  const consumer = await nc.jetstream().consumers.get(stream!);
  const messages = await consumer.consume({ max_messages: 1000 });
  report({ ready: true });
  const samples: number[] = [];
  for await (const message of messages) {
    samples.push(latencyMicros(message.data));
    if (samples.length >= count) break;
  }
  report(latencyReport(samples, warmup));
}

async function latencyPub(nc: NatsConnection, count: number, size: number, rate: number): Promise<void> {
  const js = nc.jetstream();
  const acks: Promise<unknown>[] = [];
  await paced(count, rate, () => {
    acks.push(js.publish(subject, stampedPayload(size)));
  });
  await Promise.all(acks);
  report({ published: count });
}

const nc = await connect({ servers: `127.0.0.1:${port}` });
const n = args.map(Number);
switch (mode) {
  case 'create-stream': await createStream(nc); break;
  case 'produce': await produce(nc, n[0]!, n[1]!); break;
  case 'produce-acked': await produceAcked(nc, n[0]!, n[1]!, n[2]!); break;
  case 'consume': await consume(nc, n[0]!); break;
  case 'latency-sub': await latencySub(nc, n[0]!, n[1]!); break;
  case 'latency-pub': await latencyPub(nc, n[0]!, n[1]!, n[2]!); break;
  default: throw new Error(`unknown mode ${mode}`);
}
await nc.close();
