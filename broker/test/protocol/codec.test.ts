import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, apiMessageVersions, decodeRequest, decodeResponse, encodeRequest, encodeResponse, readRequestHeader } from '../../src/protocol/index.ts';
import { Reader, Writer } from '../../src/protocol/schema-codec.ts';

const bytes = (chunks: Buffer[]) => Buffer.concat(chunks);

test('every request of every API and version survives encode -> decode -> encode byte for byte', () => {
  let checked = 0;
  for (const [key, info] of Object.entries(apiMessageVersions)) {
    for (let version = info.minVersion; version <= info.maxVersion; version++) {
      const first = bytes(encodeRequest(Number(key), version, 7, 'rt', {}));
      const frame = first.subarray(4);
      const { header, bodyOffset } = readRequestHeader(frame);
      assert.deepEqual([header.requestApiKey, header.requestApiVersion, header.correlationId, header.clientId], [Number(key), version, 7, 'rt']);
      const body = decodeRequest(Number(key), version, frame, bodyOffset) as object;
      assert.deepEqual(bytes(encodeRequest(Number(key), version, 7, 'rt', body)), first, `${info.name} v${version}`);
      checked++;
    }
  }
  assert.ok(checked > 300);
});

test('a populated Produce, Fetch and JoinGroup round-trip at flexible and classic versions', () => {
  const records = Buffer.from('not-really-a-batch');
  const produce = { transactionalId: 'tx', acks: -1, timeoutMs: 30000, topicData: [{ name: 'orders', partitionData: [{ index: 3, records }] }] };
  for (const version of [3, 7, 9, 11]) {
    const frame = bytes(encodeRequest(ApiKey.Produce, version, 1, null, produce)).subarray(4);
    const { bodyOffset } = readRequestHeader(frame);
    const decoded = decodeRequest(ApiKey.Produce, version, frame, bodyOffset) as typeof produce;
    assert.equal(decoded.topicData[0]!.name, 'orders');
    assert.deepEqual(decoded.topicData[0]!.partitionData[0]!.records, records);
    assert.equal(decoded.acks, -1);
  }
  const fetchResponse = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [{ topic: 't', topicId: 'ab'.repeat(16), partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 10n, lastStableOffset: 10n, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records: [Buffer.alloc(5000, 1), Buffer.alloc(3, 2)] }] }],
  };
  for (const version of [4, 11, 12, 13, 16]) {
    const chunks = encodeResponse(ApiKey.Fetch, version, 9, fetchResponse);
    const frame = bytes(chunks);
    assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix covers the rest');
    const { correlationId, body } = decodeResponse(ApiKey.Fetch, version, frame.subarray(4));
    assert.equal(correlationId, 9);
    const partition = body.responses[0].partitions[0];
    assert.equal(partition.records.length, 5003, 'record chunks are emitted in order without loss');
    assert.equal(partition.highWatermark, 10n);
    if (version >= 13) assert.equal(body.responses[0].topicId, 'ab'.repeat(16));
    else assert.equal(body.responses[0].topic, 't');
  }
});

test('hand-checked bytes: ApiVersions v0 and Metadata v0 requests, ApiVersions v3 response header', () => {
  // size 14 | key 18 | version 0 | correlation 1 | client id "ab"
  assert.equal(bytes(encodeRequest(ApiKey.ApiVersions, 0, 1, 'ab', {})).toString('hex'), '0000000c' + '0012' + '0000' + '00000001' + '0002' + '6162');
  // Metadata v0 with topics ["x"]: int32 array length 1, int16 string length 1, 'x'
  assert.equal(bytes(encodeRequest(ApiKey.Metadata, 0, 5, null, { topics: [{ name: 'x' }] })).toString('hex'), '00000011' + '0003' + '0000' + '00000005' + 'ffff' + '00000001' + '0001' + '78');
  // A flexible request header (Metadata v9) keeps an int16 client id and adds a tag buffer.
  const flexible = bytes(encodeRequest(ApiKey.Metadata, 9, 5, 'c', { topics: null })).subarray(4);
  assert.equal(flexible.subarray(0, 12).toString('hex'), '0003' + '0009' + '00000005' + '0001' + '63' + '00');
  // ApiVersions v3 response: correlation id then straight to the body, no header tag buffer.
  const response = bytes(encodeResponse(ApiKey.ApiVersions, 3, 77, { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }], throttleTimeMs: 0 }));
  assert.equal(response.subarray(4, 8).readInt32BE(0), 77);
  assert.equal(response.subarray(8, 10).toString('hex'), '0000', 'error code follows the correlation id directly');
  assert.equal(response[10], 2, 'compact array of one entry');
});

test('unsigned varints and compact strings of the primitive reader and writer', () => {
  const writer = new Writer();
  for (const value of [0, 1, 127, 128, 300, 16384, 2 ** 31 - 1]) writer.uvarint(value);
  const reader = new Reader(Buffer.concat(writer.finish()));
  for (const value of [0, 1, 127, 128, 300, 16384, 2 ** 31 - 1]) assert.equal(reader.uvarint(), value);
});
