import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions, type TLSSocket } from 'node:tls';
import type { Logger } from '@tributary/common';
import type { ConnectionLimiter } from '../security/listeners/connection-limiter.ts';
import { usesTls, type Listener } from '../security/listeners/listeners.ts';
import { SecuritySession } from '../security/session.ts';
import { certificatePrincipal } from '../security/tls/tls-options.ts';
import { Connection, type ConnectionLimits, type RequestProcessor } from './connection.ts';

/**
 * The Kafka listeners: accept connections (plain or TLS) and hand frames to the request
 * processor. All protocol knowledge lives in the processor; this file only knows sockets.
 */
export class SocketServer {
  private servers: Server[] = [];
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;

  constructor(
    private readonly processor: RequestProcessor,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly limiter: ConnectionLimiter | null = null,
  ) {}

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Binds a PLAINTEXT listener; returns the bound port. */
  listen(port: number, host: string): Promise<number> {
    return this.listenOn({ name: 'PLAINTEXT', protocol: 'PLAINTEXT', host, port }, null);
  }

  /** Binds one listener; tls is required for SSL and SASL_SSL listeners. Returns the bound port. */
  async listenOn(listener: Listener, tls: TlsOptions | null): Promise<number> {
    const server = usesTls(listener.protocol)
      ? createTlsServer({ ...tls!, noDelay: true }, (socket) => this.acceptTls(listener, socket))
      : createServer({ noDelay: true }, (socket) => this.accept(listener, socket, null));
    if (usesTls(listener.protocol)) {
      server.on('tlsClientError', (error: Error, socket: Socket) => {
        this.log.warn({ listener: listener.name, remoteAddress: socket.remoteAddress, err: error.message }, 'TLS handshake refused');
      });
    }
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listener.port, listener.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : listener.port;
  }

  /** ssl.client.auth=requested lets a client send no certificate, but never an untrusted one. */
  private acceptTls(listener: Listener, socket: TLSSocket): void {
    if (!socket.authorized && Object.keys(socket.getPeerCertificate()).length > 0) {
      this.log.warn({ listener: listener.name, remoteAddress: socket.remoteAddress, reason: String(socket.authorizationError) }, 'TLS client certificate refused');
      socket.destroy();
      return;
    }
    this.accept(listener, socket, certificatePrincipal(socket));
  }

  private accept(listener: Listener, socket: Socket, principal: string | null): void {
    const remoteAddress = socket.remoteAddress ?? '';
    if (this.limiter && !this.limiter.tryAcquire(remoteAddress)) {
      this.log.warn({ listener: listener.name, remoteAddress }, 'closing connection: max.connections.per.ip reached for this address');
      socket.destroy();
      return;
    }
    const connection = new Connection(
      socket,
      {
        id: this.nextConnectionId++,
        remoteAddress,
        remotePort: socket.remotePort ?? 0,
        session: new SecuritySession(listener, remoteAddress, principal),
      },
      this.processor,
      this.limits,
      this.log,
      (closed) => {
        this.connections.delete(closed);
        this.limiter?.release(remoteAddress);
      },
    );
    this.connections.add(connection);
  }

  /** Stops accepting, lets in-flight requests finish (bounded by timeoutMs), closes connections. */
  async shutdown(timeoutMs: number): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await Promise.all([...this.connections].map((connection) => connection.shutdown(timeoutMs)));
    for (const connection of this.connections) connection.socket.destroy();
    await closed;
  }
}
