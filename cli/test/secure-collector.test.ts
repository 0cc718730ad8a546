import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ManagedProcess, readTopics, startBroker, waitFor, type BrokerInstance, tributary } from '@tributary/testkit';
import { makeCertificates, type Certificates } from '../../broker/test/security/support/certificates.ts';

const CLI = join(import.meta.dirname, '../bin/tributary.mjs');
const PASSWORD = 'tracker-Secret-4242';
const TOKEN = 'metrics-token-9876';

let pki: Certificates;
let broker: BrokerInstance;
let adminBootstrap: string;
let saslPort: number;

before(async () => {
  pki = makeCertificates([]);
  const plainPort = await freePort();
  saslPort = await freePort();
  adminBootstrap = `127.0.0.1:${plainPort}`;
  broker = await startBroker({
    config: {
      listeners: `PLAINTEXT://127.0.0.1:${plainPort},SASL_SSL://127.0.0.1:${saslPort}`,
      'ssl.keystore.location': pki.serverCert,
      'ssl.key.location': pki.serverKey,
      'authorizer.class.name': 'acl',
      'super.users': 'User:ANONYMOUS',
    },
  });
  const cli = async (args: string[], input = '') => {
    const result = await tributary([...args, '--bootstrap-server', adminBootstrap], input);
    assert.equal(result.code, 0, result.stderr);
  };
  await cli(['users', 'create', '--user', 'tracker', '--password-stdin'], `${PASSWORD}\n`);
  await cli(['acls', 'add', '--principal', 'User:tracker', '--operation', 'write,describe', '--topic', 'tracking.', '--resource-pattern-type', 'prefixed']);
});
after(async () => broker?.stop());

test('the tracking collector produces over SASL_SSL with SCRAM, keeps the password out of its log and guards /metrics with a token', { timeout: 120_000 }, async () => {
  const reader = await readTopics(adminBootstrap, ['tracking.events', 'tracking.bad']);
  const port = await freePort();
  const configFile = join(pki.dir, 'tracking.yaml');
  writeFileSync(configFile, [
    'tracking:',
    `  port: ${port}`,
    '  host: 127.0.0.1',
    `  bootstrap.servers: 127.0.0.1:${saslPort}`,
    `  spool.dir: ${join(pki.dir, 'spool')}`,
    'kafka:',
    '  security.protocol: SASL_SSL',
    '  sasl.mechanism: SCRAM-SHA-512',
    '  sasl.username: tracker',
    `  ssl.ca.location: ${pki.ca}`,
    '',
  ].join('\n'));
  const logPath = join(pki.dir, 'tracking.log');
  const collector = new ManagedProcess(process.execPath, [CLI, 'tracking', 'start', '--config', configFile], logPath, {
    env: { ...process.env, TRIBUTARY_KAFKA_SASL_PASSWORD: PASSWORD, TRIBUTARY_TRACKING_ADMIN_TOKEN: TOKEN },
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await collector.untilReady(waitFor(async () => (await fetch(`${url}/health`).catch(() => null))?.status === 200, { what: 'tracking collector', timeoutMs: 60_000 }), 'tracking collector');
    const now = new Date().toISOString();
    const eventId = randomUUID();
    const event = { type: 'track', event: 'secure_click', eventId, anonymousId: 'anon-secure', sessionId: 's', timestamp: now, sentAt: now, properties: {}, context: { page: { url: 'https://shop.example/', path: '/' } } };
    const accepted = await fetch(`${url}/v1/batch`, { method: 'POST', body: JSON.stringify([event]), headers: { 'content-type': 'text/plain' } });
    assert.equal(accepted.status, 200);
    await waitFor(() => reader.parsed<{ eventId: string }>('tracking.events').some((row) => row.eventId === eventId), { what: 'the event on tracking.events', timeoutMs: 30_000 });
    const health = (await (await fetch(`${url}/health`)).json()) as { broker: string };
    assert.equal(health.broker, 'reachable');

    assert.equal((await fetch(`${url}/metrics`)).status, 401);
    assert.equal((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /tributary_tracking_events_accepted_total/);
  } finally {
    await collector.stop();
    await reader.stop();
  }
  const log = readFileSync(logPath, 'utf8');
  assert.match(log, /"securityProtocol":"SASL_SSL"/);
  assert.doesNotMatch(log, new RegExp(PASSWORD));
  assert.doesNotMatch(log, new RegExp(TOKEN));
});
