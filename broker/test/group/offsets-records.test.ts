import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  encodeGroupKey,
  encodeGroupValue,
  encodeOffsetKey,
  encodeOffsetValue,
  subscribedTopics,
} from '../../src/group/offsets-records.ts';

test('OffsetCommitKey v1: version, group, topic, partition', () => {
  const key = encodeOffsetKey('g', 't', 3);
  assert.equal(key.toString('hex'), '0001' + '0001' + '67' + '0001' + '74' + '00000003');
  assert.deepEqual(decodeKey(key), { type: 'offset', group: 'g', topic: 't', partition: 3 });
});

test('GroupMetadataKey v2: version, group', () => {
  assert.equal(encodeGroupKey('grp').toString('hex'), '0002' + '0003' + '677270');
  assert.deepEqual(decodeKey(encodeGroupKey('grp')), { type: 'group', group: 'grp' });
});

test('OffsetCommitValue v3 byte layout, by hand', () => {
  const value = { offset: 258, leaderEpoch: 5, metadata: 'ok', commitTimestamp: 1_700_000_000_000, expireTimestamp: -1 };
  const expected = Buffer.concat([
    Buffer.from('0003', 'hex'), // version
    Buffer.from('0000000000000102', 'hex'), // offset 258
    Buffer.from('00000005', 'hex'), // leader epoch
    Buffer.from('0002', 'hex'), Buffer.from('ok'), // metadata
    Buffer.from('0000018bcfe56800', 'hex'), // 1700000000000 ms
  ]);
  assert.equal(encodeOffsetValue(value).toString('hex'), expected.toString('hex'));
  assert.deepEqual(decodeOffsetValue(expected), value);
});

test('OffsetCommitValue v1 carries the expire timestamp of an explicit retention', () => {
  const value = { offset: 7, leaderEpoch: -1, metadata: '', commitTimestamp: 10, expireTimestamp: 20 };
  const encoded = encodeOffsetValue(value);
  assert.equal(encoded.readInt16BE(0), 1);
  assert.equal(encoded.length, 2 + 8 + 2 + 8 + 8);
  assert.deepEqual(decodeOffsetValue(encoded), value);
});

test('GroupMetadataValue v3 byte layout, by hand, and round trip', () => {
  const value = {
    protocolType: 'consumer',
    generation: 4,
    protocol: 'range',
    leader: 'm1',
    currentStateTimestamp: 5,
    members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/h', rebalanceTimeoutMs: 300000, sessionTimeoutMs: 45000, subscription: Buffer.from([1, 2]), assignment: Buffer.alloc(0) }],
  };
  const expected = Buffer.concat([
    Buffer.from('0003', 'hex'),
    Buffer.from('0008', 'hex'), Buffer.from('consumer'),
    Buffer.from('00000004', 'hex'),
    Buffer.from('0005', 'hex'), Buffer.from('range'),
    Buffer.from('0002', 'hex'), Buffer.from('m1'),
    Buffer.from('0000000000000005', 'hex'),
    Buffer.from('00000001', 'hex'), // one member
    Buffer.from('0002', 'hex'), Buffer.from('m1'),
    Buffer.from('ffff', 'hex'), // null group instance id
    Buffer.from('0001', 'hex'), Buffer.from('c'),
    Buffer.from('0002', 'hex'), Buffer.from('/h'),
    Buffer.from('000493e0', 'hex'), // rebalance timeout 300000
    Buffer.from('0000afc8', 'hex'), // session timeout 45000
    Buffer.from('00000002', 'hex'), Buffer.from([1, 2]),
    Buffer.from('00000000', 'hex'),
  ]);
  assert.equal(encodeGroupValue(value).toString('hex'), expected.toString('hex'));
  assert.deepEqual(decodeGroupValue(expected), value);
  const withStatic = { ...value, protocol: null, leader: null, members: [{ ...value.members[0]!, groupInstanceId: 'pod-1' }] };
  assert.deepEqual(decodeGroupValue(encodeGroupValue(withStatic)), withStatic);
});

test('older GroupMetadataValue versions decode (v0 has no rebalance timeout, instance id or state timestamp)', () => {
  const v0 = Buffer.concat([
    Buffer.from('0000', 'hex'),
    Buffer.from('0008', 'hex'), Buffer.from('consumer'),
    Buffer.from('00000001', 'hex'),
    Buffer.from('ffff', 'hex'),
    Buffer.from('ffff', 'hex'),
    Buffer.from('00000001', 'hex'),
    Buffer.from('0001', 'hex'), Buffer.from('m'),
    Buffer.from('0001', 'hex'), Buffer.from('c'),
    Buffer.from('0001', 'hex'), Buffer.from('h'),
    Buffer.from('00002710', 'hex'),
    Buffer.from('00000000', 'hex'),
    Buffer.from('00000000', 'hex'),
  ]);
  const decoded = decodeGroupValue(v0);
  assert.equal(decoded.currentStateTimestamp, -1);
  assert.equal(decoded.members[0]!.rebalanceTimeoutMs, 10000, 'falls back to the session timeout');
  assert.equal(decoded.members[0]!.groupInstanceId, null);
});

test('subscribedTopics reads a ConsumerProtocolSubscription and refuses other bytes', () => {
  const subscription = Buffer.concat([Buffer.from('0001', 'hex'), Buffer.from('00000002', 'hex'), Buffer.from('0001', 'hex'), Buffer.from('a'), Buffer.from('0001', 'hex'), Buffer.from('b')]);
  assert.deepEqual(subscribedTopics(subscription), ['a', 'b']);
  assert.equal(subscribedTopics(Buffer.from('meta')), null);
});
