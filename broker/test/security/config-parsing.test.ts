import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSection } from '@tributary/common';
import { brokerConfigFrom, brokerSchema } from '../../src/index.ts';
import { advertisedEndpoints, endpointFor, parseListeners } from '../../src/security/listeners/listeners.ts';
import { formatCredential, newCredential, parseCredential } from '../../src/security/sasl/scram-credential.ts';

const security = (flags: Record<string, unknown>) => brokerConfigFrom(loadSection('broker', brokerSchema, { flags, env: {} })).security;

test('without listeners, host and port make one PLAINTEXT listener', () => {
  assert.deepEqual(parseListeners(security({}), '0.0.0.0', 9092), [{ name: 'PLAINTEXT', protocol: 'PLAINTEXT', host: '0.0.0.0', port: 9092 }]);
});

test('listeners map names to protocols and advertise per listener', () => {
  const config = security({
    listeners: 'INTERNAL://:9092,EXTERNAL://0.0.0.0:9093',
    'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL',
    'advertised.listeners': 'EXTERNAL://kafka.example.com:443',
  });
  const listeners = parseListeners(config, '0.0.0.0', 1);
  assert.deepEqual(listeners.map((l) => [l.name, l.protocol, l.host, l.port]), [['INTERNAL', 'PLAINTEXT', '0.0.0.0', 9092], ['EXTERNAL', 'SASL_SSL', '0.0.0.0', 9093]]);
  const endpoints = advertisedEndpoints(config, listeners.map((l) => ({ ...l, boundPort: l.port })), 'broker-1.internal');
  const broker = { host: endpoints[0]!.host, port: endpoints[0]!.port, endpoints };
  assert.deepEqual(endpointFor(broker, 'INTERNAL'), { listenerName: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: 'broker-1.internal', port: 9092 });
  assert.deepEqual(endpointFor(broker, 'EXTERNAL'), { listenerName: 'EXTERNAL', securityProtocol: 'SASL_SSL', host: 'kafka.example.com', port: 443 });
});

test('listener mistakes are refused with the fix in the message', () => {
  assert.throws(() => parseListeners(security({ listeners: 'PLAINTEXT:9092' }), '', 0), /NAME:\/\/HOST:PORT/);
  assert.throws(() => parseListeners(security({ listeners: 'CLIENT://:9092' }), '', 0), /add CLIENT:<PROTOCOL> to listener.security.protocol.map/);
  assert.throws(() => parseListeners(security({ listeners: 'PLAINTEXT://:1,PLAINTEXT://:2' }), '', 0), /appears twice/);
  assert.throws(() => parseListeners(security({ listeners: 'PLAINTEXT://:1', 'inter.broker.listener.name': 'REPLICATION' }), '', 0), /not one of the listeners/);
  assert.throws(() => security({ 'max.connections.per.ip.overrides': '10.0.0.1' }), /IP:N/);
});

test("SCRAM credentials use Kafka's /config/users format and never contain the password", () => {
  const credential = newCredential('SCRAM-SHA-512', 'correct horse');
  const text = formatCredential(credential);
  assert.match(text, /^salt=[A-Za-z0-9+/=]+,stored_key=[A-Za-z0-9+/=]+,server_key=[A-Za-z0-9+/=]+,iterations=4096$/);
  assert.doesNotMatch(text, /correct horse/);
  assert.deepEqual(parseCredential(text), credential);
  assert.equal(parseCredential('salt=abc'), null);
});
