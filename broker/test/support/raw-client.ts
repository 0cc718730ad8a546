import { connect, type Socket } from 'node:net';
import { ApiKey, decodeResponse, encodeRequest } from '../../src/protocol/index.ts';

/**
 * A bare Kafka protocol connection for tests that must see exact error codes or send bytes no
 * real client would. Real clients (kafkajs, librdkafka, kafka-python) are what prove
 * compatibility; this only probes edges.
 */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiters: Array<(frame: Buffer) => void> = [];
  private correlationId = 1;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (data) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      while (this.buffer.length >= 4 && this.buffer.length >= 4 + this.buffer.readInt32BE(0)) {
        const size = this.buffer.readInt32BE(0);
        const frame = this.buffer.subarray(4, 4 + size);
        this.buffer = this.buffer.subarray(4 + size);
        this.waiters.shift()?.(frame);
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static async open(bootstrap: string): Promise<RawConnection> {
    const [host, port] = bootstrap.split(':');
    const socket = connect(Number(port), host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    return new RawConnection(socket);
  }

  nextFrame(): Promise<Buffer> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async request(apiKey: number, apiVersion: number, body: object): Promise<any> {
    const correlationId = this.correlationId++;
    const answer = this.nextFrame();
    for (const chunk of encodeRequest(apiKey, apiVersion, correlationId, 'raw-test', body)) this.socket.write(chunk);
    const decoded = decodeResponse(apiKey, apiVersion, await answer);
    if (decoded.correlationId !== correlationId) throw new Error(`correlation id ${decoded.correlationId}, expected ${correlationId}`);
    return decoded.body;
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One Fetch v11 of a single partition; returns that partition's answer. */
export async function fetchOnce(bootstrap: string, topic: string, partition: number, offset: number) {
  const connection = await RawConnection.open(bootstrap);
  try {
    const response = await connection.request(ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const data = response.responses[0].partitions[0];
    return { errorCode: data.errorCode as number, highWatermark: Number(data.highWatermark), logStartOffset: Number(data.logStartOffset), records: data.records as Buffer | null };
  } finally {
    connection.close();
  }
}
