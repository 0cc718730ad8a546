import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Purgatory } from '../../src/server/purgatory.ts';

test('an operation completes when a watched key is checked and its condition holds', async () => {
  const purgatory = new Purgatory();
  let ready = false;
  const done = new Promise<string>((resolve) => {
    purgatory.tryCompleteElseWatch(
      { tryComplete: () => (ready ? (resolve('completed'), true) : false), onExpiration: () => resolve('expired') },
      ['a', 'b'],
      10_000,
    );
  });
  assert.equal(purgatory.checkAndComplete('b'), 0);
  ready = true;
  assert.equal(purgatory.checkAndComplete('b'), 1);
  assert.equal(await done, 'completed');
  assert.equal(purgatory.size, 0, 'unwatched from every key');
});

test('an operation that never completes expires once', async () => {
  const purgatory = new Purgatory();
  let expirations = 0;
  await new Promise<void>((resolve) => {
    purgatory.tryCompleteElseWatch({ tryComplete: () => false, onExpiration: () => (expirations++, resolve()) }, ['x'], 5);
  });
  purgatory.expireAll();
  assert.equal(expirations, 1);
});

test('an operation that can complete at once is never parked', () => {
  const purgatory = new Purgatory();
  purgatory.tryCompleteElseWatch({ tryComplete: () => true, onExpiration: () => assert.fail('expired') }, ['x'], 5);
  assert.equal(purgatory.size, 0);
});
