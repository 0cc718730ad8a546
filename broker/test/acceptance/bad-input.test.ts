import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type BrokerInstance } from '@tributary/testkit';
import { ApiKey } from '../../src/protocol/index.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { buildRecordBatch } from '../../src/log/records.ts';
import { RawConnection } from '../support/raw-client.ts';

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

async function produce(connection: RawConnection, topic: string, records: Buffer) {
  const response = await connection.request(ApiKey.Produce, 7, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return response.responses[0].partitionResponses[0];
}

async function logEndOffset(connection: RawConnection, topic: string): Promise<number> {
  const response = await connection.request(ApiKey.ListOffsets, 1, {
    replicaId: -1,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  return Number(response.topics[0].partitions[0].offset);
}

describe('bad input never crashes the broker nor writes a partial batch', () => {
  let broker: BrokerInstance;
  let connection: RawConnection;
  before(async () => {
    broker = await startBroker({ config: { 'auto.create.topics.enable': false, 'socket.request.max.bytes': 1_048_576 } });
    connection = await RawConnection.open(broker.bootstrap);
    const created = await connection.request(ApiKey.CreateTopics, 4, { topics: [{ name: 'victim', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    assert.equal(created.topics[0].errorCode, ErrorCode.NONE);
  });
  after(async () => {
    connection?.close();
    await broker?.stop();
  });

  const healthy = async () => {
    const probe = await RawConnection.open(broker.bootstrap);
    const versions = await probe.request(ApiKey.ApiVersions, 0, {});
    probe.close();
    assert.equal(versions.errorCode, ErrorCode.NONE);
  };

  test('garbage frames and unknown API keys close only that connection', async () => {
    for (const payload of [Buffer.from([1, 2, 3]), Buffer.alloc(64, 0xff), Buffer.from([0x7f, 0x7f, 0, 1, 0, 0, 0, 1, 0, 0])]) {
      const bad = await RawConnection.open(broker.bootstrap);
      bad.writeRaw(frame(payload));
      await bad.closed;
    }
    await healthy();
  });

  test('an oversized or negative frame size closes the connection before any allocation', async () => {
    for (const size of [0x7fffffff, 2_000_000, -1]) {
      const bad = await RawConnection.open(broker.bootstrap);
      const header = Buffer.alloc(4);
      header.writeInt32BE(size);
      bad.writeRaw(header);
      await bad.closed;
    }
    await healthy();
  });

  test('ApiVersions with a version from the future answers v0 with UNSUPPORTED_VERSION and the ranges', async () => {
    const probe = await RawConnection.open(broker.bootstrap);
    const answer = probe.nextFrame();
    const request = Buffer.alloc(4 + 2 + 2 + 4 + 2);
    request.writeInt32BE(request.length - 4, 0);
    request.writeInt16BE(ApiKey.ApiVersions, 4);
    request.writeInt16BE(99, 6);
    request.writeInt32BE(7, 8);
    request.writeInt16BE(-1, 12);
    probe.writeRaw(request);
    const response = await answer;
    assert.equal(response.readInt32BE(0), 7, 'correlation id echoed');
    assert.equal(response.readInt16BE(4), ErrorCode.UNSUPPORTED_VERSION);
    assert.ok(response.readInt32BE(6) > 10, 'the ApiVersions list is included');
    probe.close();
  });

  test('a batch with a bad CRC is refused with CORRUPT_MESSAGE and nothing is appended', async () => {
    const before = await logEndOffset(connection, 'victim');
    const batch = buildRecordBatch({ records: [{ key: 'k', value: 'v' }] });
    batch[batch.length - 1] ^= 0xff;
    const result = await produce(connection, 'victim', batch);
    assert.equal(result.errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(await logEndOffset(connection, 'victim'), before);
  });

  test('a good batch followed by a corrupt one is refused whole: no partial write', async () => {
    const before = await logEndOffset(connection, 'victim');
    const good = buildRecordBatch({ records: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
    const truncated = buildRecordBatch({ records: [{ key: 'c', value: '3' }] }).subarray(0, 40);
    const result = await produce(connection, 'victim', Buffer.concat([good, truncated]));
    assert.equal(result.errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(await logEndOffset(connection, 'victim'), before);
    const lying = buildRecordBatch({ records: [{ key: 'd', value: '4' }] });
    lying.writeInt32BE(lying.readInt32BE(8) + 100, 8);
    assert.equal((await produce(connection, 'victim', lying)).errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.equal(await logEndOffset(connection, 'victim'), before);
    const ok = await produce(connection, 'victim', buildRecordBatch({ records: [{ key: 'e', value: '5' }] }));
    assert.equal(ok.errorCode, ErrorCode.NONE);
    assert.equal(await logEndOffset(connection, 'victim'), before + 1);
  });

  test('invalid topic names get INVALID_TOPIC_EXCEPTION; a missing topic with auto-create off gets UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const names = ['', 'bad name', 'x'.repeat(250), '..', 'ünïcode'];
    const created = await connection.request(ApiKey.CreateTopics, 4, {
      topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 5000,
      validateOnly: false,
    });
    for (const topic of created.topics) assert.equal(topic.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, `name '${topic.name}'`);
    const missing = await produce(connection, 'no-such-topic', buildRecordBatch({ records: [{ key: 'k', value: 'v' }] }));
    assert.equal(missing.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const metadata = await connection.request(ApiKey.Metadata, 4, { topics: [{ name: 'no-such-topic' }], allowAutoTopicCreation: true });
    assert.equal(metadata.topics[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await healthy();
  });

  test('invalid topic configs are refused with INVALID_CONFIG naming the key', async () => {
    const created = await connection.request(ApiKey.CreateTopics, 4, {
      topics: [
        { name: 'cfg-a', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: 'soon' }] },
        { name: 'cfg-b', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'no.such.setting', value: '1' }] },
      ],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.deepEqual(created.topics.map((t: { errorCode: number }) => t.errorCode), [ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG]);
    assert.match(created.topics[0].errorMessage, /retention\.ms/);
    assert.match(created.topics[1].errorMessage, /no\.such\.setting/);
  });
});
