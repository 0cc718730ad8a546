import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type BrokerInstance } from '@tributary/testkit';
import { ApiKey } from '../../src/protocol/index.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { RawConnection } from '../support/raw-client.ts';

let broker: BrokerInstance;
let raw: RawConnection;
before(async () => {
  broker = await startBroker();
  raw = await RawConnection.open(broker.bootstrap);
});
after(async () => {
  raw?.close();
  await broker?.stop();
});

const initProducerId = (version: number, transactionalId: string, producerId = -1n, producerEpoch = -1) =>
  raw.request(ApiKey.InitProducerId, version, { transactionalId, transactionTimeoutMs: 60_000, producerId, producerEpoch });

test('the transaction coordinator at the protocol level: FindCoordinator key type 1, version-dependent fencing errors, batched AddPartitionsToTxn, Describe/ListTransactions', async () => {
  await raw.request(ApiKey.CreateTopics, 5, { topics: [{ name: 'edges', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
  const found = await raw.request(ApiKey.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['edges-txn'] });
  assert.equal(found.coordinators[0].errorCode, ErrorCode.NONE);
  assert.equal(found.coordinators[0].port, broker.port);

  assert.equal((await initProducerId(1, 'edges-txn')).errorCode, ErrorCode.NONE);
  const current = await initProducerId(4, 'edges-txn');
  assert.equal(current.producerEpoch, 1);
  // Naming a producer that is not the current one: PRODUCER_FENCED from v4, as KIP-588 added it.
  assert.equal((await initProducerId(4, 'edges-txn', current.producerId + 1n, 0)).errorCode, ErrorCode.PRODUCER_FENCED);
  assert.equal((await initProducerId(3, 'edges-txn', current.producerId + 1n, 0)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);

  const add = (version: number, epoch: number, partitions: number[]) => raw.request(ApiKey.AddPartitionsToTxn, version, {
    v3AndBelowTransactionalId: 'edges-txn', v3AndBelowProducerId: current.producerId, v3AndBelowProducerEpoch: epoch, v3AndBelowTopics: [{ name: 'edges', partitions }],
  });
  assert.equal((await add(1, current.producerEpoch - 1, [0])).resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal((await add(3, current.producerEpoch - 1, [0])).resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.PRODUCER_FENCED);
  const unknown = await add(3, current.producerEpoch, [0, 7]);
  assert.deepEqual(unknown.resultsByTopicV3AndBelow[0].resultsByPartition.map((r: { partitionErrorCode: number }) => r.partitionErrorCode), [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.equal((await add(3, current.producerEpoch, [0])).resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.NONE);

  // v4+: batched by transactional id, as brokers send them; verifyOnly checks without adding.
  const verify = await raw.request(ApiKey.AddPartitionsToTxn, 4, {
    transactions: [{ transactionalId: 'edges-txn', producerId: current.producerId, producerEpoch: current.producerEpoch, verifyOnly: true, topics: [{ name: 'edges', partitions: [0, 1] }] }],
  });
  assert.equal(verify.resultsByTransaction[0].topicResults[0].resultsByPartition[1].partitionErrorCode, ErrorCode.INVALID_TXN_STATE);

  const described = await raw.request(ApiKey.DescribeTransactions, 0, { transactionalIds: ['edges-txn', 'nobody'] });
  assert.equal(described.transactionStates[0].transactionState, 'Ongoing');
  assert.deepEqual(described.transactionStates[0].topics, [{ topic: 'edges', partitions: [0] }]);
  assert.equal(described.transactionStates[1].errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  const listed = await raw.request(ApiKey.ListTransactions, 1, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1n });
  assert.deepEqual(listed.unknownStateFilters, ['Bogus']);
  assert.deepEqual(listed.transactionStates.map((t: { transactionalId: string }) => t.transactionalId), ['edges-txn']);

  assert.equal((await raw.request(ApiKey.EndTxn, 1, { transactionalId: 'edges-txn', producerId: current.producerId, producerEpoch: current.producerEpoch - 1, committed: true })).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal((await raw.request(ApiKey.EndTxn, 3, { transactionalId: 'edges-txn', producerId: current.producerId, producerEpoch: current.producerEpoch, committed: false })).errorCode, ErrorCode.NONE);
  // The abort marker is on the partition: read_committed and read_uncommitted agree on an empty log.
  const fetched = await raw.request(ApiKey.Fetch, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1, rackId: '', forgottenTopicsData: [],
    topics: [{ topic: 'edges', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
  });
  const partition = fetched.responses[0].partitions[0];
  assert.equal(partition.highWatermark, 1n);
  assert.equal(partition.lastStableOffset, 1n);
  assert.equal(partition.records.length > 0, true, 'the marker batch is returned so the client can move past it');
});
