import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequest } from '../protocol/index.ts';
import { FrameDecoder } from '../server/frame-decoder.ts';

interface Pending {
  apiKey: number;
  apiVersion: number;
  resolve: (body: any) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A broker's connection to another broker (replica fetching, controlled shutdown). Kafka brokers
 * talk to each other with the same protocol as clients, so this reuses the broker's own codec
 * rather than a client library: it needs just a few APIs, pinned to versions this broker serves.
 */
export class BrokerClient {
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private correlationId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly clientId: string,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  private connect(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      const decoder = new FrameDecoder(1 << 30);
      socket.setNoDelay(true);
      socket.once('connect', () => {
        this.socket = socket;
        this.connecting = null;
        resolve(socket);
      });
      socket.on('data', (data) => {
        for (const frame of decoder.push(data)) this.onFrame(frame);
      });
      socket.on('error', (error) => {
        this.connecting = null;
        reject(error);
        this.failAll(error);
      });
      socket.on('close', () => {
        this.socket = null;
        this.failAll(new Error(`connection to broker ${this.host}:${this.port} closed`));
      });
    });
    return this.connecting;
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const pending = this.pending.get(correlationId);
    if (!pending) return;
    this.pending.delete(correlationId);
    clearTimeout(pending.timer);
    try {
      pending.resolve(decodeResponse(pending.apiKey, pending.apiVersion, frame).body);
    } catch (error) {
      pending.reject(error as Error);
    }
  }

  private failAll(error: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }

  async send<T = any>(apiKey: number, apiVersion: number, body: object, timeoutMs = this.requestTimeoutMs): Promise<T> {
    const socket = await this.connect();
    const correlationId = (this.correlationId = (this.correlationId + 1) & 0x7fffffff);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new Error(`request ${apiKey} to broker ${this.host}:${this.port} timed out after ${timeoutMs} ms`));
        socket.destroy();
      }, timeoutMs);
      this.pending.set(correlationId, { apiKey, apiVersion, resolve, reject, timer });
      socket.cork();
      for (const chunk of encodeRequest(apiKey, apiVersion, correlationId, this.clientId, body)) socket.write(chunk);
      socket.uncork();
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
    this.failAll(new Error('client closed'));
  }
}
