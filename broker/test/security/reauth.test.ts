import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, startBroker, waitFor, type BrokerInstance, tributary } from '@tributary/testkit';
import { ApiKey, decodeResponse, encodeRequest } from '../../src/protocol/index.ts';

const REAUTH_MS = 1500;

/** A bare Kafka protocol client: one request at a time, frames read back by correlation. */
function rawClient(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let buffered = Buffer.alloc(0);
  const waiting: Array<(frame: Buffer) => void> = [];
  socket.on('data', (data) => {
    buffered = Buffer.concat([buffered, data]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const size = buffered.readInt32BE(0);
      waiting.shift()?.(buffered.subarray(4, 4 + size));
      buffered = buffered.subarray(4 + size);
    }
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  let correlationId = 0;
  return {
    closed,
    async request(apiKey: number, version: number, body: object) {
      const frame = new Promise<Buffer>((resolve) => waiting.push(resolve));
      for (const chunk of encodeRequest(apiKey, version, ++correlationId, 'raw', body)) socket.write(chunk);
      return decodeResponse(apiKey, version, await frame).body;
    },
    send(apiKey: number, version: number, body: object) {
      for (const chunk of encodeRequest(apiKey, version, ++correlationId, 'raw', body)) socket.write(chunk);
    },
    destroy: () => socket.destroy(),
  };
}

describe('SASL re-authentication (connections.max.reauth.ms)', () => {
  let broker: BrokerInstance;
  let saslPort: number;
  before(async () => {
    const plainPort = await freePort();
    saslPort = await freePort();
    broker = await startBroker({ config: { listeners: `PLAINTEXT://127.0.0.1:${plainPort},SASL_PLAINTEXT://127.0.0.1:${saslPort}`, 'connections.max.reauth.ms': REAUTH_MS } });
    const created = await tributary(['users', 'create', '--user', 'rita', '--password-stdin', '--bootstrap-server', `127.0.0.1:${plainPort}`], 'rita-pw\n');
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => broker?.stop());

  test('SaslAuthenticate tells the session lifetime; a session that is not renewed is closed at its next request', async () => {
    const client = rawClient(saslPort);
    const refusedEarly = rawClient(saslPort);
    try {
      // Before authentication only ApiVersions and the SASL APIs are served.
      refusedEarly.send(ApiKey.Metadata, 1, { topics: null });
      await refusedEarly.closed;

      assert.equal((await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode, 0);
      const authenticated = await client.request(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from('\0rita\0rita-pw') });
      assert.equal(authenticated.errorCode, 0);
      assert.equal(Number(authenticated.sessionLifetimeMs), REAUTH_MS);
      assert.equal((await client.request(ApiKey.Metadata, 1, { topics: null })).brokers.length, 1);
      const expiresAt = Date.now() + REAUTH_MS;
      await waitFor(() => Date.now() > expiresAt + 100, { what: 'the session to expire', intervalMs: 100 });
      client.send(ApiKey.Metadata, 1, { topics: null });
      await client.closed;
    } finally {
      client.destroy();
      refusedEarly.destroy();
    }
  });

  test('kafkajs keeps producing across several session lifetimes (it re-authenticates before expiry)', async () => {
    const producer = new Kafka({ clientId: 'reauth', brokers: [`127.0.0.1:${saslPort}`], sasl: { mechanism: 'scram-sha-512', username: 'rita', password: 'rita-pw' }, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const until = Date.now() + 3 * REAUTH_MS;
    let sent = 0;
    while (Date.now() < until) {
      await producer.send({ topic: 'reauth', messages: [{ value: String(sent++) }] });
    }
    await producer.disconnect();
    assert.ok(sent > 10, `sent ${sent}`);
  });
});
