import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdmin, createProducer, isBrokerUnreachable, parseBootstrap, withBrokerHint } from '@tributary/common/kafka';
import { freePort } from '@tributary/testkit';

test('bootstrap servers parse, with errors that show the expected shape', () => {
  assert.deepEqual(parseBootstrap('h1:9092, h2:9093'), ['h1:9092', 'h2:9093']);
  assert.deepEqual(parseBootstrap('[::1]:9092'), ['[::1]:9092']);
  assert.deepEqual(parseBootstrap(undefined), ['127.0.0.1:9092']);
  assert.throws(() => parseBootstrap(' , '), /empty: use HOST:PORT/);
  assert.throws(() => parseBootstrap('nohost'), /'nohost' is not HOST:PORT/);
  assert.throws(() => parseBootstrap('h:0'), /HOST:PORT/);
  assert.throws(() => parseBootstrap('h:65536'), /HOST:PORT/);
});

test('an idempotent producer with acks other than all is refused, not silently changed', () => {
  assert.throws(() => createProducer({ bootstrapServers: '127.0.0.1:9092', clientId: 't', idempotent: true, acks: 1 }), /needs acks=all/);
  assert.doesNotThrow(() => createProducer({ bootstrapServers: '127.0.0.1:9092', clientId: 't', acks: 1 }).close());
});

test('an unreachable broker is recognised and explained with the fix', async () => {
  const bootstrap = `127.0.0.1:${await freePort()}`;
  const admin = createAdmin({ bootstrapServers: bootstrap, clientId: 't' });
  const error = await admin.listTopics().then(() => null, (e: unknown) => e);
  await admin.close();
  assert.ok(isBrokerUnreachable(error));
  assert.match((withBrokerHint(error, bootstrap) as Error).message, new RegExp(`no broker answers at ${bootstrap}: .*--bootstrap-server`));
  const other = new Error('boom');
  assert.equal(withBrokerHint(other, bootstrap), other);
});
