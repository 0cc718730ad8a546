import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, startBroker, startCluster, waitFor, type ClusterInstance, tributary } from '@tributary/testkit';
import { makeCertificates, type Certificates } from '../security/support/certificates.ts';
import { leadership, readAll, waitForLeadership } from './support.ts';

/**
 * Security in a ZooKeeper cluster: each broker has a PLAINTEXT INTERNAL listener (replication and
 * the operator, whose User:ANONYMOUS is a super user) and a SASL_SSL CLIENT listener for
 * applications. Users and ACLs are written through one broker and must take effect on the others,
 * which only learn them from ZooKeeper.
 */
describe('a 3-broker cluster with SASL_SSL clients, a PLAINTEXT inter-broker listener and ACLs', () => {
  let pki: Certificates;
  let cluster: ClusterInstance;
  const clientPorts = new Map<number, number>();
  const internal = (id: number) => cluster.broker(id).bootstrap;
  const cli = (id: number, args: string[], input = '') => tributary([...args, '--bootstrap-server', internal(id)], input);
  const saslClient = (id: number, username: string, password: string, retries = 0) =>
    new Kafka({
      clientId: `secure-cluster-${username}`,
      brokers: [`127.0.0.1:${clientPorts.get(id)}`],
      ssl: { ca: [readFileSync(pki.ca, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username, password },
      logLevel: logLevel.NOTHING,
      retry: { retries, initialRetryTime: 100, maxRetryTime: 1000 },
      connectionTimeout: 3000,
    });

  before(async () => {
    pki = makeCertificates([]);
    cluster = await startCluster({
      brokers: 3,
      config: {
        'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,CLIENT:SASL_SSL',
        'inter.broker.listener.name': 'INTERNAL',
        'ssl.keystore.location': pki.serverCert,
        'ssl.key.location': pki.serverKey,
        'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
        'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
        // Semicolons, as security-config.ts splits super.users.
        'super.users': 'User:ANONYMOUS;User:admin',
        'auto.create.topics.enable': false,
      },
      async brokerConfig(id) {
        const clientPort = await freePort();
        clientPorts.set(id, clientPort);
        // INTERNAL first: the testkit's bootstrap (and the broker's legacy host/port) is the first listener.
        return { listeners: `INTERNAL://127.0.0.1:${await freePort()},CLIENT://127.0.0.1:${clientPort}` };
      },
    });
  });
  after(async () => {
    await cluster?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  test('a SCRAM user created through broker 1 authenticates on broker 3', async () => {
    for (const [user, password] of [['alice', 'alice-pw'], ['admin', 'admin-pw']]) {
      const created = await cli(1, ['users', 'create', '--user', user!, '--password-stdin', '--mechanism', 'SCRAM-SHA-512'], `${password}\n`);
      assert.equal(created.code, 0, created.stderr);
    }
    // Broker 3 learns the credentials from a ZooKeeper watch, a moment after broker 1 wrote them.
    await waitFor(
      async () => {
        const admin = saslClient(3, 'alice', 'alice-pw').admin();
        await admin.connect();
        await admin.disconnect();
        return true;
      },
      { what: "alice's credentials on broker 3", timeoutMs: 20_000, intervalMs: 200 },
    );
    const wrong = saslClient(3, 'alice', 'not-her-password').admin();
    await assert.rejects(wrong.connect(), /SASL|[Aa]uthentication/);

    // Clients that came in on CLIENT are sent to the other brokers' CLIENT endpoints (from
    // /brokers/ids in ZooKeeper), never to the PLAINTEXT INTERNAL ones.
    const admin = saslClient(3, 'admin', 'admin-pw').admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      assert.deepEqual(brokers.map(({ nodeId, port }) => [nodeId, port]).sort(), [1, 2, 3].map((id) => [id, clientPorts.get(id)]));
    } finally {
      await admin.disconnect();
    }
  });

  test('a password changed through broker 2 applies on every broker, also on broker 1 that created the user', async () => {
    const changed = await cli(2, ['users', 'create', '--user', 'alice', '--password-stdin', '--mechanism', 'SCRAM-SHA-512'], 'alice-new-pw\n');
    assert.equal(changed.code, 0, changed.stderr);
    const authenticates = async (id: number, password: string) => {
      const admin = saslClient(id, 'alice', password).admin();
      try {
        await admin.connect();
        return true;
      } catch {
        return false;
      } finally {
        await admin.disconnect();
      }
    };
    for (const id of [1, 2, 3]) {
      await waitFor(async () => (await authenticates(id, 'alice-new-pw')) && !(await authenticates(id, 'alice-pw')), { what: `alice's new password on broker ${id}`, timeoutMs: 20_000, intervalMs: 200 });
    }
  });

  test('an ACL added through broker 2 lets alice write topic A from broker 3 and not topic B; acks=all keeps all 3 replicas in sync', async () => {
    const operator = new Kafka({ clientId: 'secure-cluster-operator', brokers: [internal(1)], logLevel: logLevel.NOTHING }).admin();
    await operator.connect();
    try {
      // Three partitions so that each broker leads one: alice's writes then need the ACL on every broker.
      await operator.createTopics({ topics: ['A', 'B'].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 3 })), waitForLeaders: true });
      const initial = await waitForLeadership(operator, 'A', 'A led with 3 replicas in sync', (ps) => ps.every((p) => p.leader > 0 && p.isr.length === 3));
      assert.deepEqual(initial.map((p) => p.leader).sort(), [1, 2, 3]);

      const added = await cli(2, ['acls', 'add', '--principal', 'User:alice', '--operation', 'write', '--topic', 'A']);
      assert.equal(added.code, 0, added.stderr);
      // Each broker answers DescribeAcls from its own cache, filled by a ZooKeeper watch: once all
      // three list the binding, one send must succeed whole (a retried send could duplicate records).
      for (const id of [1, 2, 3]) {
        await waitFor(
          async () => {
            const listed = await cli(id, ['acls', 'list', '--principal', 'User:alice', '--output', 'json']);
            return listed.code === 0 && (JSON.parse(listed.stdout) as Array<Record<string, string>>).some((row) => row.resourceName === 'A' && row.operation === 'WRITE');
          },
          { what: `alice's ACL on broker ${id}`, timeoutMs: 20_000, intervalMs: 200 },
        );
      }

      const producer = saslClient(3, 'alice', 'alice-new-pw').producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        await producer.send({ topic: 'A', acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `alice-${i}` })) });
        await assert.rejects(producer.send({ topic: 'B', acks: -1, messages: [{ value: 'nope' }] }), (error: Error & { type?: string }) => {
          assert.match(`${error.type} ${error.message}`, /TOPIC_AUTHORIZATION_FAILED|[Aa]uthoriz/);
          return true;
        });
      } finally {
        await producer.disconnect();
      }

      // acks=all succeeded, and no follower fell out of the ISR while replicating over INTERNAL.
      for (const partition of await leadership(operator, 'A')) {
        assert.deepEqual(partition.replicas, [1, 2, 3]);
        assert.deepEqual(partition.isr, [1, 2, 3], `ISR of A-${partition.partition}`);
      }
    } finally {
      await operator.disconnect();
    }

    // The super user admin reads A back over SASL_SSL, bootstrapped on broker 3, from all three
    // leaders; retries cover the consumer group's coordinator still loading.
    const read = await readAll(saslClient(3, 'admin', 'admin-pw', 20), 'A');
    assert.deepEqual(read.map((record) => record.value).sort(), Array.from({ length: 30 }, (_, i) => `alice-${i}`).sort());
  });

  test('an ACL removed through broker 1 stops alice writing A on every broker', async () => {
    const removed = await cli(1, ['acls', 'remove', '--principal', 'User:alice', '--topic', 'A']);
    assert.equal(removed.code, 0, removed.stderr);
    for (const id of [1, 2, 3]) {
      await waitFor(
        async () => {
          const listed = await cli(id, ['acls', 'list', '--principal', 'User:alice', '--output', 'json']);
          return listed.code === 0 && (JSON.parse(listed.stdout) as unknown[]).length === 0;
        },
        { what: `alice's ACL gone from broker ${id}`, timeoutMs: 20_000, intervalMs: 200 },
      );
    }
    // One send per partition: A's three leaders are the three brokers, and each must refuse.
    const producer = saslClient(2, 'alice', 'alice-new-pw').producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (const partition of [0, 1, 2]) {
        await assert.rejects(producer.send({ topic: 'A', acks: -1, messages: [{ partition, value: 'after removal' }] }), (error: Error & { type?: string }) => {
          assert.match(`${error.type} ${error.message}`, /TOPIC_AUTHORIZATION_FAILED|[Aa]uthoriz/, `A-${partition}`);
          return true;
        });
      }
    } finally {
      await producer.disconnect();
    }
  });

  test('a user deleted through broker 3 is refused on every broker', async () => {
    const deleted = await cli(3, ['users', 'delete', '--user', 'alice', '--mechanism', 'SCRAM-SHA-512']);
    assert.equal(deleted.code, 0, deleted.stderr);
    for (const id of [1, 2, 3]) {
      await waitFor(
        async () => {
          const admin = saslClient(id, 'alice', 'alice-new-pw').admin();
          try {
            await admin.connect();
            return false;
          } catch (error) {
            return /SASL|[Aa]uthentication/.test(String(error));
          } finally {
            await admin.disconnect();
          }
        },
        { what: `alice refused on broker ${id}`, timeoutMs: 20_000, intervalMs: 200 },
      );
    }
  });

  test('a client quota set through broker 1 is known to every broker, and removing it through broker 2 clears it everywhere', async () => {
    const set = await cli(1, ['quotas', 'set', '--client-id', 'noisy', '--producer-byte-rate', '1048576']);
    assert.equal(set.code, 0, set.stderr);
    const quotaOn = async (id: number) => {
      const listed = await cli(id, ['quotas', 'list', '--client-id', 'noisy', '--output', 'json']);
      assert.equal(listed.code, 0, listed.stderr);
      return listed.stdout;
    };
    for (const id of [1, 2, 3]) await waitFor(async () => /1048576/.test(await quotaOn(id)), { what: `the quota on broker ${id}`, timeoutMs: 20_000, intervalMs: 200 });
    const removed = await cli(2, ['quotas', 'remove', '--client-id', 'noisy']);
    assert.equal(removed.code, 0, removed.stderr);
    for (const id of [1, 2, 3]) await waitFor(async () => !/1048576/.test(await quotaOn(id)), { what: `the quota gone on broker ${id}`, timeoutMs: 20_000, intervalMs: 200 });
  });

  test('a broker whose inter-broker listener is SASL refuses to start in the cluster', async () => {
    const port = await freePort();
    await assert.rejects(
      startBroker({
        brokerId: 4,
        zookeeper: cluster.zookeeper.connectString,
        config: { listeners: `SASL_PLAINTEXT://127.0.0.1:${port}`, 'inter.broker.listener.name': 'SASL_PLAINTEXT' },
      }),
      /inter-broker listener SASL_PLAINTEXT uses SASL_PLAINTEXT, but brokers replicate over PLAINTEXT only/,
    );
  });
});
