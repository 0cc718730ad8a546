import { connect } from 'node:net';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { ManagedProcess } from './managed-process.ts';
import { instanceDir } from './run-dir.ts';
import { freePort, waitFor } from './wait.ts';

export interface RedisInstance {
  port: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.write('PING\r\n');
  });
}

/** A private redis-server that keeps nothing on disk. */
export async function startRedis(): Promise<RedisInstance> {
  const binary = requireBinary('redis-server', 'redis-server');
  const dir = instanceDir('redis');
  const port = await freePort();
  const server = new ManagedProcess(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir], join(dir, 'redis.log'));
  await server.untilReady(waitFor(() => ping(port), { what: `redis on port ${port}` }), 'redis-server');
  return { port, url: `redis://127.0.0.1:${port}`, dir, stop: () => server.stop(), kill9: () => server.kill9() };
}
