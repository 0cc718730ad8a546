import { createServer, type Server } from 'node:net';
import type { Logger } from '@tributary/common';
import { Connection, type ConnectionLimits, type RequestProcessor } from './connection.ts';

/**
 * The Kafka listener: accepts connections and hands frames to the request processor. All
 * protocol knowledge lives in the processor; this file only knows sockets.
 */
export class SocketServer {
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;

  constructor(
    private readonly processor: RequestProcessor,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {}

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(port: number, host: string): Promise<number> {
    const server = createServer({ noDelay: true }, (socket) => {
      const connection = new Connection(
        socket,
        { id: this.nextConnectionId++, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 },
        this.processor,
        this.limits,
        this.log,
        (closed) => this.connections.delete(closed),
      );
      this.connections.add(connection);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  /** Stops accepting, lets in-flight requests finish (bounded by timeoutMs), closes connections. */
  async shutdown(timeoutMs: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.connections].map((connection) => connection.shutdown(timeoutMs)));
    for (const connection of this.connections) connection.socket.destroy();
    await closed;
  }
}
