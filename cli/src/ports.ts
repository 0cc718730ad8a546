import { createServer } from 'node:net';

/**
 * A port for a setting: the one given, or for 0 a free one picked now. `up` must know every
 * part's port before the broker starts, since the console is told where their status pages are.
 */
export async function concretePort(port: number): Promise<number> {
  if (port !== 0) return port;
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const picked = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return picked;
}

/** An address to reach a listener from this machine: a wildcard bind is reached on loopback. */
export function localHost(bindHost: string): string {
  return bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '' ? '127.0.0.1' : bindHost;
}
