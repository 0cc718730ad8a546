import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, startCluster } from '@tributary/testkit';
import { ApiKey } from '../../src/protocol/index.ts';
import { BrokerClient } from '../../src/replication/broker-client.ts';
import { clusterClient } from './support.ts';

const TOPIC = 'txn-out';
const TXN_ID = 'failover-txn';

async function transactionCoordinatorOf(bootstrap: string, transactionalId: string): Promise<number> {
  const [host, port] = bootstrap.split(':');
  const client = new BrokerClient(host!, Number(port), 'test');
  try {
    const response = await client.send(ApiKey.FindCoordinator, 3, { key: transactionalId, keyType: 1 });
    if (response.errorCode !== 0) throw new Error(`FindCoordinator answered ${response.errorCode}`);
    return response.nodeId as number;
  } finally {
    client.close();
  }
}

test('the transaction coordinator dies mid-transaction (3 brokers): the transaction commits or aborts as a whole, and the next one commits on the new coordinator', { timeout: 180_000 }, async (t) => {
  const cluster = await startCluster({
    brokers: 3,
    config: { 'transaction.state.log.replication.factor': 3, 'transaction.state.log.num.partitions': 6, 'transaction.state.log.min.isr': 2, 'auto.leader.rebalance.enable': false },
  });
  t.after(() => cluster.stop());
  const kafka = clusterClient(cluster, 'txn-failover');
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });

  const producer = kafka.producer({ transactionalId: TXN_ID, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 20_000 });
  await producer.connect();
  t.after(() => producer.disconnect());
  const first = await producer.transaction();
  const values = Array.from({ length: 30 }, (_, i) => `in-doubt-${i}`);
  await first.send({ topic: TOPIC, messages: values.map((value, i) => ({ value, partition: i % 3 })) });

  const alive = [...cluster.brokers.keys()];
  const coordinator = await transactionCoordinatorOf(cluster.broker(alive[0]!).bootstrap, TXN_ID);
  await cluster.broker(coordinator).kill9();
  let outcome: 'committed' | 'aborted';
  try {
    await first.commit();
    outcome = 'committed';
  } catch {
    outcome = 'aborted';
    await first.abort().catch(() => undefined);
  }
  t.diagnostic(`coordinator ${coordinator} killed; the client saw the transaction ${outcome}`);
  // Back to three brokers, so the readers' group can get a __consumer_offsets with 3 replicas.
  await cluster.broker(coordinator).restart();

  // The next transaction goes through the new coordinator; read_committed readers see its end
  // marker only once everything before it is decided.
  await waitFor(async () => (await transactionCoordinatorOf(cluster.broker(alive.find((id) => id !== coordinator)!).bootstrap, TXN_ID)) !== coordinator, { what: 'a new transaction coordinator', timeoutMs: 30_000 });
  const next = await kafka.producer({ transactionalId: TXN_ID, idempotent: true, maxInFlightRequests: 1 });
  await next.connect();
  t.after(() => next.disconnect());
  const second = await next.transaction();
  await second.send({ topic: TOPIC, messages: [0, 1, 2].map((partition) => ({ value: `end-${partition}`, partition })) });
  await second.commit();

  const seen: string[] = [];
  const consumer = kafka.consumer({ groupId: 'txn-failover-reader', readUncommitted: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await waitFor(() => ['end-0', 'end-1', 'end-2'].every((end) => seen.includes(end)), { what: 'the second transaction read with read_committed', timeoutMs: 60_000 });

  const fromFirst = seen.filter((value) => value.startsWith('in-doubt-'));
  assert.ok(fromFirst.length === 0 || fromFirst.length === values.length, `the first transaction is half visible: ${fromFirst.length} of ${values.length}`);
  if (outcome === 'committed') assert.equal(fromFirst.length, values.length, 'a commit the client saw succeed is visible');
  assert.equal(new Set(fromFirst).size, fromFirst.length, 'no record twice');
  t.diagnostic(`first transaction: ${fromFirst.length ? 'committed' : 'aborted'} (${fromFirst.length} records visible)`);
});
