import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaStringHashCode, partitionForGroup } from '../../src/group/group-partition.ts';

test("Java String.hashCode over UTF-16 code units", () => {
  assert.equal(javaStringHashCode(''), 0);
  assert.equal(javaStringHashCode('a'), 97);
  assert.equal(javaStringHashCode('ab'), 97 * 31 + 98);
  assert.equal(javaStringHashCode('group'), 98629247);
  assert.equal(javaStringHashCode('my-group'), -1906497762, 'overflows into a negative int');
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
});

test("partitionForGroup is Kafka's Utils.abs(hashCode) % partitions", () => {
  assert.equal(partitionForGroup(''), 0);
  assert.equal(partitionForGroup('ab'), 3105 % 50);
  assert.equal(partitionForGroup('group'), 47);
  assert.equal(partitionForGroup('my-group'), 1906497762 % 50);
  assert.equal(partitionForGroup('polygenelubricants'), 0, 'Utils.abs maps Integer.MIN_VALUE to 0');
  assert.equal(partitionForGroup('group', 7), 98629247 % 7);
});
