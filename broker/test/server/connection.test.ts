import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { pino } from 'pino';
import { SocketServer } from '../../src/server/socket-server.ts';

function frame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

test('responses leave in request order even when later requests finish first', async () => {
  const server = new SocketServer(
    (request) => {
      const text = request.toString();
      const delay = text === 'slow' ? 50 : 0;
      return new Promise((resolve) => setTimeout(() => resolve([frame(`re:${text}`)]), delay));
    },
    { maxFrameBytes: 1024, maxInFlightRequests: 100, maxUnsentBytes: 1 << 20, idleTimeoutMs: 60_000 },
    pino({ level: 'silent' }),
  );
  const port = await server.listen(0, '127.0.0.1');
  const socket = connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (data) => received.push(data));
  socket.write(Buffer.concat([frame('slow'), frame('fast1'), frame('fast2')]));
  const expected = Buffer.concat([frame('re:slow'), frame('re:fast1'), frame('re:fast2')]);
  for (let i = 0; i < 200 && Buffer.concat(received).length < expected.length; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(Buffer.concat(received), expected);
  socket.destroy();
  await server.shutdown(1000);
});

test('an oversized frame closes the connection without a response', async () => {
  const server = new SocketServer(() => [frame('never')], { maxFrameBytes: 16, maxInFlightRequests: 10, maxUnsentBytes: 1 << 20, idleTimeoutMs: 60_000 }, pino({ level: 'silent' }));
  const port = await server.listen(0, '127.0.0.1');
  const socket = connect(port, '127.0.0.1');
  const closed = new Promise<number>((resolve) => {
    let bytes = 0;
    socket.on('data', (data) => (bytes += data.length));
    socket.on('close', () => resolve(bytes));
  });
  socket.write(frame('x'.repeat(17)));
  assert.equal(await closed, 0);
  await server.shutdown(1000);
});

test('graceful shutdown answers requests already in flight', async () => {
  let release: (() => void) | null = null;
  const server = new SocketServer(
    () => new Promise((resolve) => (release = () => resolve([frame('done')]))),
    { maxFrameBytes: 1024, maxInFlightRequests: 10, maxUnsentBytes: 1 << 20, idleTimeoutMs: 60_000 },
    pino({ level: 'silent' }),
  );
  const port = await server.listen(0, '127.0.0.1');
  const socket = connect(port, '127.0.0.1');
  const answer = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  socket.write(frame('work'));
  for (let i = 0; i < 500 && release === null; i++) await new Promise((r) => setTimeout(r, 5));
  const stopping = server.shutdown(5000);
  release!();
  assert.deepEqual(await answer, frame('done'));
  await stopping;
});
