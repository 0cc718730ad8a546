import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteRate, throttledFetchMaxBytes } from '../../src/replication/byte-rate.ts';

test('the rate counts bytes over the time since the oldest sample, and forgets samples older than the window', () => {
  const rate = new ByteRate(11, 1000);
  assert.equal(rate.rate(0), 0);
  assert.equal(rate.rate(0, 500), 500_000, 'pending bytes count as sent now: a millisecond for them');
  rate.record(1000, 0);
  assert.equal(rate.rate(500), 2000);
  assert.equal(rate.rate(2000), 500);
  rate.record(1000, 5000);
  assert.equal(rate.rate(10_000), 200, 'both samples, over ten seconds');
  assert.equal(rate.rate(11_000), 1000 / 6, 'the first sample left the window; it starts at the second');
  assert.equal(rate.rate(16_000), 0);
});

test('a throttled fetch asks for about a second at the rate, at least 1 KB, never more than unthrottled', () => {
  assert.equal(throttledFetchMaxBytes(1_048_576, 200_000), 200_000);
  assert.equal(throttledFetchMaxBytes(1_048_576, 10), 1024);
  assert.equal(throttledFetchMaxBytes(100_000, 10_000_000), 100_000);
  assert.equal(throttledFetchMaxBytes(1_048_576, 0), 1_048_576, 'no throttle');
});

test('a sender that waits while the rate is over a quota sends at most the quota plus one chunk, and about the quota', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1000, max: 20_000_000 }),
      fc.double({ min: 0.001, max: 1, noNaN: true }),
      fc.integer({ min: 1, max: 500 }),
      (quota, share, stepMs) => {
        // Chunks as throttledFetchMaxBytes caps them: at most a second's worth.
        const chunk = Math.min(Math.max(1024, Math.floor(quota * share)), throttledFetchMaxBytes(2_000_000, quota));
        const rate = new ByteRate();
        let sent = 0;
        const endMs = 60_000;
        for (let now = 0; now <= endMs; now += stepMs) {
          if (rate.rate(now) <= quota) {
            rate.record(chunk, now);
            sent += chunk;
          }
          assert.ok(sent <= (quota * now) / 1000 + chunk, `${sent} bytes by ${now} ms`);
        }
        // Polling every stepMs can only waste up to one step per chunk sent.
        const wasted = (sent / chunk) * stepMs;
        assert.ok(sent >= (quota * (endMs - wasted)) / 1000 - chunk, `${sent} bytes in a minute at ${quota} B/s`);
      },
    ),
  );
});
