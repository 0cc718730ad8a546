import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, kcat, python, requireBinary, requirePythonModule, startBroker, waitFor, type BrokerInstance, tributary } from '@tributary/testkit';
import { makeCertificates, type Certificates } from './support/certificates.ts';

const produceScript = fileURLToPath(new URL('./python/produce_secure.py', import.meta.url));
const kafkaPythonScript = fileURLToPath(new URL('./python/produce_kafka_python_secure.py', import.meta.url));

describe('TLS, mTLS and SASL/SCRAM listeners with kafkajs, kcat and python3-confluent-kafka', () => {
  let pki: Certificates;
  let broker: BrokerInstance;
  let sslPort: number;
  let saslSslPort: number;
  let adminConfig: string;

  before(async () => {
    requireBinary('kcat', 'kcat');
    requirePythonModule('confluent_kafka', 'python3-confluent-kafka');
    requirePythonModule('kafka', 'python3-kafka');
    pki = makeCertificates(['admin', 'alice']);
    sslPort = await freePort();
    saslSslPort = await freePort();
    broker = await startBroker({
      config: {
        listeners: `SSL://127.0.0.1:${sslPort},SASL_SSL://127.0.0.1:${saslSslPort}`,
        'ssl.keystore.location': pki.serverCert,
        'ssl.key.location': pki.serverKey,
        'ssl.truststore.location': pki.ca,
        'ssl.client.auth': 'requested',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
        'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
        'super.users': 'User:CN=admin,O=Tributary Test',
      },
    });
    // The admin reaches the broker over mTLS; its certificate subject is a super user.
    adminConfig = join(pki.dir, 'admin.yaml');
    const admin = pki.client('admin');
    writeFileSync(adminConfig, `kafka:\n  security.protocol: SSL\n  ssl.ca.location: ${pki.ca}\n  ssl.certificate.location: ${admin.cert}\n  ssl.key.location: ${admin.key}\n`);
    const cli = (args: string[], input = '') => tributary([...args, '--bootstrap-server', `127.0.0.1:${sslPort}`, '--command-config', adminConfig], input);
    const created = await cli(['users', 'create', '--user', 'bob', '--password-stdin', '--mechanism', 'SCRAM-SHA-512,SCRAM-SHA-256'], 'bob-secret\n');
    assert.equal(created.code, 0, created.stderr);
    for (const [principal, operations] of [['User:bob', 'write,read,describe,create'], ['User:CN=alice,O=Tributary Test', 'write,describe,create']] as const) {
      const added = await cli(['acls', 'add', '--principal', principal, '--operation', operations, '--topic', 'secure.', '--resource-pattern-type', 'prefixed']);
      assert.equal(added.code, 0, added.stderr);
    }
  });
  after(async () => broker?.stop());

  const kafkajs = (password: string, mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain' = 'scram-sha-512') =>
    new Kafka({
      clientId: 'sasl-test',
      brokers: [`127.0.0.1:${saslSslPort}`],
      ssl: { ca: [readFileSync(pki.ca, 'utf8')] },
      sasl: { mechanism, username: 'bob', password } as never,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });

  test('users list shows mechanisms and iterations, never keys', async () => {
    const listed = await tributary(['users', 'list', '--bootstrap-server', `127.0.0.1:${sslPort}`, '--command-config', adminConfig, '--output', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as Array<{ user: string; mechanism: string; iterations: number }>;
    assert.deepEqual(rows.map((row) => row.mechanism).sort(), ['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    assert.ok(rows.every((row) => row.user === 'bob' && row.iterations === 4096));
    assert.doesNotMatch(listed.stdout, /stored_key|salt/);
  });

  test('kafkajs produces and reads back over SASL_SSL with SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN', async () => {
    for (const mechanism of ['scram-sha-512', 'scram-sha-256', 'plain'] as const) {
      const producer = kafkajs('bob-secret', mechanism).producer();
      await producer.connect();
      await producer.send({ topic: 'secure.kafkajs', messages: [{ key: mechanism, value: `via ${mechanism}` }] });
      await producer.disconnect();
    }
    const read = await kcat(
      ['-b', `127.0.0.1:${saslSslPort}`, '-C', '-t', 'secure.kafkajs', '-o', 'beginning', '-e', '-f', '%k=%s\\n',
        '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=bob', '-X', 'sasl.password=bob-secret', '-X', `ssl.ca.location=${pki.ca}`],
      { timeoutMs: 30_000 },
    );
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(read.stdout.trim().split('\n').sort(), ['plain=via plain', 'scram-sha-256=via scram-sha-256', 'scram-sha-512=via scram-sha-512']);
  });

  test('python3-confluent-kafka produces over SASL_SSL with SCRAM-SHA-512', async () => {
    const produced = await python(produceScript, ['secure.python-sasl', '50', `bootstrap.servers=127.0.0.1:${saslSslPort}`, 'security.protocol=SASL_SSL', 'sasl.mechanisms=SCRAM-SHA-512', 'sasl.username=bob', 'sasl.password=bob-secret', `ssl.ca.location=${pki.ca}`], { timeoutMs: 60_000 });
    assert.equal(produced.code, 0, produced.stderr);
    assert.match(produced.stdout, /delivered 50/);
  });

  test('kafka-python 2.0 (SaslHandshake v0 and raw tokens) produces over SASL_SSL with SCRAM-SHA-512 and PLAIN; a wrong password is refused', async () => {
    for (const mechanism of ['SCRAM-SHA-512', 'PLAIN']) {
      const produced = await python(kafkaPythonScript, [`127.0.0.1:${saslSslPort}`, 'secure.kafka-python', '20', mechanism, 'bob', 'bob-secret', pki.ca], { timeoutMs: 60_000 });
      assert.equal(produced.code, 0, produced.stderr);
      assert.match(produced.stdout, /delivered 20/);
    }
    const refused = await python(kafkaPythonScript, [`127.0.0.1:${saslSslPort}`, 'secure.kafka-python', '1', 'SCRAM-SHA-512', 'bob', 'wrong', pki.ca], { timeoutMs: 60_000 });
    assert.notEqual(refused.code, 0);
  });

  test('kafkajs produces over mTLS as the certificate subject', async () => {
    const alice = pki.client('alice');
    const kafka = new Kafka({
      clientId: 'mtls-test',
      brokers: [`127.0.0.1:${sslPort}`],
      ssl: { ca: [readFileSync(pki.ca, 'utf8')], cert: readFileSync(alice.cert, 'utf8'), key: readFileSync(alice.key, 'utf8') },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'secure.kafkajs-mtls', messages: [{ value: 'from alice' }] });
    await assert.rejects(producer.send({ topic: 'not-secure', messages: [{ value: 'nope' }] }), /[Aa]uthoriz/);
    await producer.disconnect();
  });

  test('a wrong password is refused with a SASL authentication error', async () => {
    const producer = kafkajs('not-the-password').producer();
    await assert.rejects(producer.connect(), /SASL|[Aa]uthentication/);
    await producer.disconnect();
    const rdkafka = await python(produceScript, ['secure.refused', '1', `bootstrap.servers=127.0.0.1:${saslSslPort}`, 'security.protocol=SASL_SSL', 'sasl.mechanisms=SCRAM-SHA-512', 'sasl.username=bob', 'sasl.password=wrong', `ssl.ca.location=${pki.ca}`, 'message.timeout.ms=5000'], { timeoutMs: 30_000 });
    assert.notEqual(rdkafka.code, 0);
    assert.match(rdkafka.stderr, /[Aa]uthentication/);
  });

  test('python3-confluent-kafka and kcat produce over mTLS; the principal comes from the certificate', async () => {
    const alice = pki.client('alice');
    const tls = ['security.protocol=SSL', `ssl.ca.location=${pki.ca}`, `ssl.certificate.location=${alice.cert}`, `ssl.key.location=${alice.key}`];
    const produced = await python(produceScript, ['secure.mtls', '100', `bootstrap.servers=127.0.0.1:${sslPort}`, ...tls], { timeoutMs: 60_000 });
    assert.equal(produced.code, 0, produced.stderr);
    assert.match(produced.stdout, /delivered 100/);
    const kcatProduced = await kcat(['-b', `127.0.0.1:${sslPort}`, '-P', '-t', 'secure.mtls', ...tls.flatMap((setting) => ['-X', setting])], { input: 'from-kcat\n', timeoutMs: 30_000 });
    assert.equal(kcatProduced.code, 0, kcatProduced.stderr);
    // alice may write secure.* but nothing else: the ACLs see her certificate subject.
    const elsewhere = await python(produceScript, ['other.topic', '1', `bootstrap.servers=127.0.0.1:${sslPort}`, ...tls, 'message.timeout.ms=5000'], { timeoutMs: 30_000 });
    assert.notEqual(elsewhere.code, 0);
    assert.match(elsewhere.stderr, /TOPIC_AUTHORIZATION_FAILED|[Aa]uthoriz/);
  });

  test('a client certificate from an untrusted CA is refused', async () => {
    const tls = ['security.protocol=SSL', `ssl.ca.location=${pki.ca}`, `ssl.certificate.location=${pki.untrusted.cert}`, `ssl.key.location=${pki.untrusted.key}`];
    const refused = await kcat(['-b', `127.0.0.1:${sslPort}`, '-L', '-m', '5', ...tls.flatMap((setting) => ['-X', setting])], { timeoutMs: 30_000 });
    assert.notEqual(refused.code, 0);
    await waitFor(() => /TLS client certificate refused|TLS handshake refused/.test(readFileSync(broker.logPath, 'utf8')), { what: 'the refusal in the broker log' });
  });
});
