import type { Socket } from 'node:net';
import type { Logger } from '@tributary/common';
import type { SecuritySession } from '../security/session.ts';
import { FrameDecoder, FrameTooLargeError } from './frame-decoder.ts';

export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  remotePort: number;
  session: SecuritySession;
}

/** What the request layer returns: response chunks, null for "no response" (acks=0). */
export type RequestProcessor = (frame: Buffer, connection: ConnectionInfo) => Promise<Buffer[] | null> | Buffer[] | null;

export interface ConnectionLimits {
  maxFrameBytes: number;
  /** Frame limit while a SASL connection has not authenticated (sasl.server.max.receive.size). */
  unauthenticatedMaxFrameBytes?: number;
  /** A SASL connection not authenticated after this long is closed. */
  unauthenticatedTimeoutMs?: number;
  maxInFlightRequests: number;
  maxUnsentBytes: number;
  idleTimeoutMs: number;
}

interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
}

/**
 * One client connection. Requests are processed concurrently but answered strictly in the order
 * they arrived, as Kafka clients require. Reading stops while too many requests are in flight or
 * too many response bytes wait in the socket, so a slow reader cannot make the broker buffer
 * without bound.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly slots: Slot[] = [];
  private paused = false;
  private closing = false;
  private stopReading = false;
  private drainWaiters: Array<() => void> = [];
  private muted = false;

  constructor(
    readonly socket: Socket,
    readonly info: ConnectionInfo,
    private readonly process: RequestProcessor,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly onClose: (connection: Connection) => void,
  ) {
    this.decoder = new FrameDecoder(this.frameLimit());
    if (!info.session.authenticated) {
      const timer = setTimeout(() => {
        if (info.session.authenticated) return;
        this.log.warn({ connection: this.describe() }, 'closing connection: not authenticated within connections.max.unauthenticated.ms');
        socket.destroy();
      }, limits.unauthenticatedTimeoutMs ?? limits.idleTimeoutMs);
      socket.once('close', () => clearTimeout(timer));
    }
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs);
    socket.on('data', (data) => this.onData(data));
    socket.on('drain', () => this.updateFlowControl());
    socket.on('timeout', () => {
      if (this.slots.length === 0) {
        this.log.debug({ connection: this.describe() }, 'closing idle connection');
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.log.debug({ err: error, connection: this.describe() }, 'socket error'));
    socket.on('close', () => {
      this.closing = true;
      this.resolveDrained();
      this.onClose(this);
    });
  }

  get inFlight(): number {
    return this.slots.length;
  }

  private frameLimit(): number {
    return this.info.session.authenticated ? this.limits.maxFrameBytes : (this.limits.unauthenticatedMaxFrameBytes ?? this.limits.maxFrameBytes);
  }

  /** For logs: the connection without its session object. */
  private describe() {
    return { id: this.info.id, remoteAddress: this.info.remoteAddress, remotePort: this.info.remotePort, listener: this.info.session.listener.name, principal: this.info.session.principal };
  }

  private onData(data: Buffer): void {
    if (this.closing) return;
    this.decoder.maxFrameBytes = this.frameLimit();
    let frames: Buffer[];
    try {
      frames = this.decoder.push(data);
    } catch (error) {
      if (error instanceof FrameTooLargeError) {
        const setting = this.info.session.authenticated ? 'socket.request.max.bytes' : 'sasl.server.max.receive.size';
        this.log.warn({ connection: this.describe(), size: error.size }, `closing connection: ${error.message} (${setting})`);
        this.socket.destroy();
        return;
      }
      throw error;
    }
    for (const frame of frames) this.dispatch(frame);
    this.updateFlowControl();
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = { done: false, chunks: null };
    this.slots.push(slot);
    let result: Promise<Buffer[] | null> | Buffer[] | null;
    try {
      result = this.process(frame, this.info);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (chunks) => this.complete(slot, chunks),
        (error) => this.fail(error),
      );
    } else {
      this.complete(slot, result);
    }
  }

  private complete(slot: Slot, chunks: Buffer[] | null): void {
    slot.done = true;
    slot.chunks = chunks;
    this.flush();
  }

  private fail(error: unknown): void {
    // A request we cannot answer correctly leaves the client's correlation ids out of step, so
    // the only safe answer is to close the connection, as Kafka does for malformed requests.
    this.log.warn({ err: error, connection: this.describe() }, 'closing connection after a request failed');
    this.socket.destroy();
  }

  private flush(): void {
    if (this.closing || this.socket.destroyed) return;
    let corked = false;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (!slot.chunks) continue;
      if (!corked) {
        this.socket.cork();
        corked = true;
      }
      for (const chunk of slot.chunks) this.socket.write(chunk);
    }
    if (corked) this.socket.uncork();
    this.muteWhileThrottled();
    this.updateFlowControl();
    if (this.slots.length === 0) this.resolveDrained();
  }

  /** Kafka mutes a throttled client's channel: nothing more is read until the throttle ends. */
  private muteWhileThrottled(): void {
    const waitMs = this.info.session.throttleUntilMs - Date.now();
    if (this.muted || waitMs <= 0) return;
    this.muted = true;
    setTimeout(() => {
      this.muted = false;
      this.muteWhileThrottled();
      this.updateFlowControl();
    }, waitMs).unref();
  }

  private updateFlowControl(): void {
    if (this.closing) return;
    const overloaded =
      this.muted ||
      this.slots.length >= this.limits.maxInFlightRequests || this.socket.writableLength > this.limits.maxUnsentBytes;
    if (overloaded && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!overloaded && this.paused && !this.stopReading) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Stops reading new requests, waits for in-flight ones to be answered, then ends the socket. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.stopReading = true;
    this.socket.pause();
    if (this.slots.length > 0 && !this.closing) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.drainWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.socket.end();
    this.socket.destroySoon();
  }

  private resolveDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
