import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBroker, type BrokerInstance } from '@tributary/testkit';
import { RingBuffer } from '../../src/console/ring-buffer.ts';

describe('console options', () => {
  it('keeps the newest samples in a ring buffer, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    assert.deepEqual(ring.toArray(), []);
    assert.equal(ring.last(), undefined);
    for (const n of [1, 2]) ring.push(n);
    assert.deepEqual(ring.toArray(), [1, 2]);
    for (const n of [3, 4, 5]) ring.push(n);
    assert.deepEqual(ring.toArray(), [3, 4, 5]);
    assert.equal(ring.last(), 5);
    assert.equal(ring.size, 3);
    assert.throws(() => new RingBuffer(0));
  });

  describe('console.enable: false', () => {
    let broker: BrokerInstance;
    before(async () => {
      broker = await startBroker({ config: { 'console.enable': false } });
    });
    after(async () => {
      await broker?.stop();
    });

    it('serves neither the page nor the API, and keeps /health and /metrics', async () => {
      const base = `http://127.0.0.1:${broker.adminPort}`;
      for (const path of ['/', '/console', '/api/console/overview']) assert.equal((await fetch(`${base}${path}`)).status, 404, path);
      assert.equal((await fetch(`${base}/health`)).status, 200);
      assert.equal((await fetch(`${base}/metrics`)).status, 200);
    });
  });
});
