import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { freePort, startBroker, waitFor, type BrokerInstance, tributary } from '@tributary/testkit';

/**
 * The authorizer with Kafka's semantics. The PLAINTEXT listener on loopback is the operator's
 * (User:ANONYMOUS is a super user there); applications come in over SASL_PLAINTEXT with SCRAM.
 */
describe('ACLs: topic and group authorization, prefixed patterns, deny over allow', () => {
  let broker: BrokerInstance;
  let adminBootstrap: string;
  let saslBootstrap: string;
  const cli = (args: string[], input = '') => tributary([...args, '--bootstrap-server', adminBootstrap], input);
  const allow = async (...args: string[]) => {
    const result = await cli(['acls', 'add', ...args]);
    assert.equal(result.code, 0, result.stderr);
  };
  const client = (user: string) =>
    new Kafka({ clientId: `acl-${user}`, brokers: [saslBootstrap], sasl: { mechanism: 'scram-sha-512', username: user, password: `${user}-pw` }, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const send = async (user: string, topic: string) => {
    const producer = client(user).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ value: `${user} was here` }] });
    } finally {
      await producer.disconnect();
    }
  };

  // The broker's log reaches the file a moment after the response: poll for it.
  const loggedDenial = (line: RegExp) => waitFor(() => line.test(readFileSync(broker.logPath, 'utf8')), { what: `${line} in the broker log` });

  before(async () => {
    const plainPort = await freePort();
    const saslPort = await freePort();
    adminBootstrap = `127.0.0.1:${plainPort}`;
    saslBootstrap = `127.0.0.1:${saslPort}`;
    broker = await startBroker({
      config: {
        listeners: `PLAINTEXT://127.0.0.1:${plainPort},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
        'super.users': 'User:ANONYMOUS',
        'auto.create.topics.enable': false,
        'group.initial.rebalance.delay.ms': 0,
      },
    });
    for (const user of ['alice', 'carol']) {
      const created = await cli(['users', 'create', '--user', user, '--password-stdin', '--mechanism', 'SCRAM-SHA-512'], `${user}-pw\n`);
      assert.equal(created.code, 0, created.stderr);
    }
    const admin = new Kafka({ clientId: 'acl-admin', brokers: [adminBootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: ['topic-a', 'topic-b', 'logs.app', 'logs.secret', 'orders'].map((topic) => ({ topic, numPartitions: 1 })) });
    await admin.disconnect();
    await allow('--principal', 'User:alice', '--operation', 'write', '--topic', 'topic-a');
  });
  after(async () => broker?.stop());

  test('a producer allowed on topic A cannot write topic B, and the denial is logged', async () => {
    await send('alice', 'topic-a');
    await assert.rejects(send('alice', 'topic-b'), /[Aa]uthoriz/);
    await loggedDenial(/"principal":"User:alice".*"operation":"DESCRIBE".*"resourceName":"topic-b".*authorization denied/);
  });

  test('Metadata lists only the topics the principal may describe', async () => {
    const admin = client('alice').admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    assert.deepEqual(topics.sort(), ['topic-a']);
  });

  test('prefixed ACLs cover every topic with the prefix; a DENY wins over an ALLOW', async () => {
    await allow('--principal', 'User:alice', '--operation', 'write', '--topic', 'logs.', '--resource-pattern-type', 'prefixed');
    await send('alice', 'logs.app');
    await allow('--principal', 'User:alice', '--operation', 'write', '--topic', 'logs.secret', '--permission', 'deny');
    await assert.rejects(send('alice', 'logs.secret'), /[Aa]uthoriz/);
    await send('alice', 'logs.app');
  });

  test('a consumer without READ on its group cannot join; with it, it consumes', async () => {
    await send('alice', 'topic-a');
    await allow('--principal', 'User:carol', '--operation', 'read', '--topic', 'topic-a');
    // DESCRIBE lets carol find the coordinator; joining needs READ.
    await allow('--principal', 'User:carol', '--operation', 'describe', '--group', 'carol-group');
    const consume = async (): Promise<{ consumer: Consumer; failure: Promise<Error>; received: string[] }> => {
      const consumer = client('carol').consumer({ groupId: 'carol-group', retry: { retries: 0 } });
      const received: string[] = [];
      const failure = new Promise<Error>((resolve) => consumer.on(consumer.events.CRASH, (event) => resolve(event.payload.error)));
      await consumer.connect();
      await consumer.subscribe({ topic: 'topic-a', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
      return { consumer, failure, received };
    };
    const denied = await consume();
    assert.match(String(await denied.failure), /[Aa]uthoriz/);
    await loggedDenial(/"principal":"User:carol".*"operation":"READ","resourceType":"GROUP","resourceName":"carol-group".*authorization denied/);
    await denied.consumer.disconnect();

    await allow('--principal', 'User:carol', '--operation', 'read', '--group', 'carol-group');
    const allowed = await consume();
    await waitFor(() => allowed.received.length >= 2, { what: 'carol to read topic-a', timeoutMs: 30_000 });
    await allowed.consumer.disconnect();
  });

  test('configs, groups and records are guarded too: DescribeConfigs, ListGroups, DeleteRecords', async () => {
    const admin = client('alice').admin();
    await admin.connect();
    try {
      await assert.rejects(admin.describeConfigs({ resources: [{ type: 2, name: 'topic-a' }], includeSynonyms: false }), /[Aa]uthoriz/);
      assert.deepEqual((await admin.listGroups()).groups, []);
      await assert.rejects(admin.deleteTopicRecords({ topic: 'topic-a', partitions: [{ partition: 0, offset: '-1' }] }), /deleting records/);
      await loggedDenial(/"principal":"User:alice".*"operation":"DELETE","resourceType":"TOPIC","resourceName":"topic-a".*authorization denied/);
    } finally {
      await admin.disconnect();
    }
  });

  test('transactions need WRITE on the transactional id, and WRITE on each topic they add', async () => {
    await allow('--principal', 'User:alice', '--operation', 'write', '--transactional-id', 'alice-txn');
    const denied = (error: Error & { type?: string }) => error.type ?? error.message;
    // Idempotent (transactional) kafkajs producers require retries.
    const alice = new Kafka({ clientId: 'acl-alice-txn', brokers: [saslBootstrap], sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-pw' }, logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
    const stranger = alice.producer({ transactionalId: 'someone-elses-txn', maxInFlightRequests: 1, idempotent: true });
    // kafkajs asks for the transactional producer id when the first transaction begins.
    // FindCoordinator already refuses it (Kafka's DESCRIBE check); kafkajs reports that as no coordinator found.
    await assert.rejects(stranger.connect().then(() => stranger.transaction()), (error: Error & { type?: string }) => /TRANSACTIONAL_ID_AUTHORIZATION_FAILED|coordinator/i.test(denied(error)));
    await loggedDenial(/authorization denied[^\n]*someone-elses-txn|someone-elses-txn[^\n]*authorization denied/);
    await stranger.disconnect();

    const producer = alice.producer({ transactionalId: 'alice-txn', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    try {
      const allowed = await producer.transaction();
      await allowed.send({ topic: 'topic-a', messages: [{ value: 'in a transaction' }] });
      await allowed.commit();
      const refused = await producer.transaction();
      await assert.rejects(refused.send({ topic: 'topic-b', messages: [{ value: 'not allowed' }] }), (error: Error & { type?: string }) => /TOPIC_AUTHORIZATION_FAILED|[Tt]opic authorization/.test(denied(error)));
      await refused.abort().catch(() => undefined);
    } finally {
      await producer.disconnect();
    }
  });

  test('acls list shows the bindings and acls remove takes one away', async () => {
    const listed = await cli(['acls', 'list', '--principal', 'User:alice', '--output', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as Array<Record<string, string>>;
    assert.ok(rows.some((row) => row.resourceName === 'logs.' && row.patternType === 'PREFIXED' && row.operation === 'WRITE' && row.permission === 'ALLOW'));
    assert.ok(rows.some((row) => row.resourceName === 'logs.secret' && row.permission === 'DENY'));
    const removed = await cli(['acls', 'remove', '--principal', 'User:alice', '--topic', 'topic-a']);
    assert.equal(removed.code, 0, removed.stderr);
    await assert.rejects(send('alice', 'topic-a'), /[Aa]uthoriz/);
  });
});
