import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { kcat, startBroker, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;
const repo = fileURLToPath(new URL('../../', import.meta.url));

const tributary = (args: string[]) => spawnSync(process.execPath, [join(repo, 'cli/bin/tributary.mjs'), ...args], { encoding: 'utf8', cwd: repo });

describe('tributary transactions', () => {
  let broker: BrokerInstance;
  let bootstrap: string[];
  before(async () => {
    broker = await startBroker();
    bootstrap = ['--bootstrap-server', broker.bootstrap];
  });
  after(async () => broker?.stop());

  const committedValues = async (topic: string) => {
    const read = await kcat(['-C', '-b', broker.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n', '-X', 'isolation.level=read_committed'], { timeoutMs: 30_000 });
    assert.equal(read.code, 0, read.stderr);
    return read.stdout.split('\n').filter((line) => line.length > 0);
  };

  test('list and describe an open transaction, then abort it as a hanging one on its partition', async () => {
    const kafka = new Kafka({ clientId: 'cli-transactions', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'hanging', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ transactionalId: 'cli-txn', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'hanging', messages: [{ value: 'stuck' }] });
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'hanging', messages: [{ value: 'after' }] });
    await plain.disconnect();

    const listed = tributary(['transactions', 'list', ...bootstrap, '--output', 'json']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).filter((row: { transactionalId: string }) => row.transactionalId === 'cli-txn').map((row: { state: string }) => row.state), ['Ongoing']);
    const ongoing = tributary(['transactions', 'list', '--state', 'Ongoing', ...bootstrap]);
    assert.match(ongoing.stdout, /^cli-txn\s+0\s+\d+\s+Ongoing$/m);

    const described = tributary(['transactions', 'describe', '--transactional-id', 'cli-txn', ...bootstrap, '--output', 'json']);
    assert.equal(described.status, 0, described.stderr);
    const [state] = JSON.parse(described.stdout);
    assert.equal(state.state, 'Ongoing');
    assert.deepEqual(state.partitions, ['hanging-0']);

    // The open transaction holds read_committed readers before 'after'.
    assert.deepEqual(await committedValues('hanging'), []);
    const producers = tributary(['transactions', 'describe-producers', '--topic', 'hanging', '--partition', '0', ...bootstrap, '--output', 'json']);
    assert.equal(producers.status, 0, producers.stderr);
    const hanging = JSON.parse(producers.stdout).find((p: { currentTransactionStartOffset: number | null }) => p.currentTransactionStartOffset !== null);
    assert.deepEqual([hanging.producerId, hanging.producerEpoch, hanging.currentTransactionStartOffset], [state.producerId, state.producerEpoch, 0]);
    const wrongOffset = tributary(['transactions', 'abort', '--topic', 'hanging', '--partition', '0', '--start-offset', '1', ...bootstrap]);
    assert.equal(wrongOffset.status, 1);
    assert.match(wrongOffset.stderr, /no open transaction starts at offset 1/);
    const aborted = tributary(['transactions', 'abort', '--topic', 'hanging', '--partition', '0', '--start-offset', '0', ...bootstrap]);
    assert.equal(aborted.status, 0, aborted.stderr);
    assert.deepEqual(await committedValues('hanging'), ['after']);
    await producer.disconnect();

    const byId = tributary(['transactions', 'abort', '--topic', 'hanging', '--partition', '0', '--producer-id', String(state.producerId), '--producer-epoch', String(state.producerEpoch), ...bootstrap]);
    assert.equal(byId.status, 0, byId.stderr);

    const unknown = tributary(['transactions', 'describe', '--transactional-id', 'nobody', ...bootstrap]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /TRANSACTIONAL_ID_NOT_FOUND/);
    const usage = tributary(['transactions', 'abort', '--topic', 'hanging', ...bootstrap]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--partition is required/);
  });
});
