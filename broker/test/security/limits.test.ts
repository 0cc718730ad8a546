import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, startBroker, waitFor, type BrokerInstance, tributary } from '@tributary/testkit';

async function residentBytes(adminPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  return Number(/^tributary_broker_process_\w*resident_memory_bytes (\d+)/m.exec(text)![1]);
}

function open(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** A frame header announcing `size` bytes, as an attacker would send before (never) sending them. */
function header(size: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(size);
  return buffer;
}

describe('limits: unauthenticated floods, oversized frames, connections per IP', () => {
  let broker: BrokerInstance;
  let saslPort: number;
  before(async () => {
    const plainPort = await freePort();
    saslPort = await freePort();
    broker = await startBroker({
      config: {
        listeners: `PLAINTEXT://127.0.0.1:${plainPort},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'connections.max.unauthenticated.ms': 2000,
        'max.connections.per.ip': 1000,
      },
    });
    const created = await tributary(['users', 'create', '--user', 'steady', '--password-stdin', '--bootstrap-server', `127.0.0.1:${plainPort}`], 'steady-pw\n');
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => broker?.stop());

  test('a flood of unauthenticated connections and oversized frames neither grows memory nor slows an authenticated producer', async () => {
    const producer = new Kafka({ clientId: 'steady', brokers: [`127.0.0.1:${saslPort}`], sasl: { mechanism: 'scram-sha-512', username: 'steady', password: 'steady-pw' }, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const sendFor = async (ms: number) => {
      let sent = 0;
      const until = Date.now() + ms;
      while (Date.now() < until) {
        await producer.send({ topic: 'steady', acks: -1, messages: [{ value: `m${sent}` }] });
        sent++;
      }
      return sent;
    };
    await sendFor(500);
    const baseline = await sendFor(2000);
    const memoryBefore = await residentBytes(broker.adminPort);

    // 300 connections: a third announce 1 GiB frames (refused before any allocation), a third
    // announce frames just under the pre-authentication limit and stall, a third send nothing.
    const flood = await Promise.all(Array.from({ length: 300 }, () => open(saslPort)));
    flood.forEach(({ socket }, i) => {
      if (i % 3 === 0) socket.write(header(1 << 30));
      else if (i % 3 === 1) socket.write(Buffer.concat([header(500_000), Buffer.alloc(1000)]));
    });
    const during = await sendFor(2000);
    await Promise.all(flood.map(({ closed }) => closed));
    const memoryAfter = await residentBytes(broker.adminPort);
    await producer.disconnect();

    assert.ok(during / baseline > 0.5, `authenticated producer sent ${during} records during the flood against ${baseline} before`);
    assert.ok(memoryAfter - memoryBefore < 64 * 1024 * 1024, `resident memory grew by ${memoryAfter - memoryBefore} bytes`);
  });

  test('max.connections.per.ip closes connections beyond the limit at once', async () => {
    const limited = await startBroker({ config: { 'max.connections.per.ip': 5 } });
    try {
      const sockets = await Promise.all(Array.from({ length: 8 }, () => open(limited.port)));
      const closedEarly: boolean[] = sockets.map(() => false);
      sockets.forEach(({ closed }, i) => void closed.then(() => (closedEarly[i] = true)));
      await waitFor(() => closedEarly.filter(Boolean).length === 3, { what: 'three connections over the limit to be closed' });
      for (const { socket } of sockets) socket.destroy();
      // Closed connections free their slots: a new one is soon served again (ApiVersions answered).
      await waitFor(async () => {
        const again = await open(limited.port);
        const answered = new Promise<boolean>((resolve) => {
          again.socket.once('data', () => resolve(true));
          void again.closed.then(() => resolve(false));
        });
        again.socket.write(Buffer.from('0000000e0012000000000001000474657374', 'hex'));
        const ok = await answered;
        again.socket.destroy();
        return ok;
      }, { what: 'a connection under the limit to be served' });
    } finally {
      await limited.stop();
    }
  });
});
