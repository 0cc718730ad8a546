import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { apiMessageVersions, decodeRequest, encodeRequest, ProtocolError, readRequestHeader } from '../../src/protocol/index.ts';
import { buildRecordBatch } from '../../src/log/records.ts';

/**
 * Coverage by property: whatever bytes arrive, the request decoder either returns a value or
 * throws ProtocolError. Any other exception (RangeError, TypeError, an allocation of a length
 * read from the wire) would be a bug that a hostile client could use.
 */
function decodeFrame(frame: Buffer): void {
  try {
    const { header, bodyOffset } = readRequestHeader(frame);
    decodeRequest(header.requestApiKey, header.requestApiVersion, frame, bodyOffset);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
}

function withoutSize(chunks: Buffer[]): Buffer {
  return Buffer.concat(chunks).subarray(4);
}

/** Valid requests of every API at every version, as seeds for mutation. */
function seedFrames(): Buffer[] {
  const records = buildRecordBatch({ records: [{ key: 'k', value: 'v', headers: [{ key: 'h', value: 'x' }] }] });
  const samples: Record<number, object> = {
    0: { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] },
    1: { replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 1000, topics: [{ topic: 't', topicId: 'ab'.repeat(16), partitions: [{ partition: 0, fetchOffset: 5n, partitionMaxBytes: 100 }] }], forgottenTopicsData: [] },
    3: { topics: [{ name: 'a', topicId: '0'.repeat(32) }, { name: 'b', topicId: '0'.repeat(32) }], allowAutoTopicCreation: true },
    11: { groupId: 'g', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([0, 1, 2]) }] },
    19: { topics: [{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1' }] }], timeoutMs: 1000 },
  };
  const frames: Buffer[] = [];
  for (const [key, info] of Object.entries(apiMessageVersions)) {
    for (let version = info.minVersion; version <= info.maxVersion; version++) {
      try {
        frames.push(withoutSize(encodeRequest(Number(key), version, 42, 'fuzz', samples[Number(key)] ?? {})));
      } catch {
        // Some sample bodies do not fit every version; the empty body still seeds that API.
        frames.push(withoutSize(encodeRequest(Number(key), version, 42, 'fuzz', {})));
      }
    }
  }
  return frames;
}

const mutation = (seeds: Buffer[]) =>
  fc.record({
    seed: fc.integer({ min: 0, max: seeds.length - 1 }),
    edits: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
        fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.constantFrom(0x7fffffff, -2, 0x10000, 255, -1) }),
        fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  });

function mutate(base: Buffer, edits: Array<{ kind: 'flip' | 'truncate' | 'length' | 'insert'; at: number; value: number }>): Buffer {
  let frame = Buffer.from(base);
  for (const edit of edits) {
    if (frame.length === 0) break;
    const at = edit.at % frame.length;
    switch (edit.kind) {
      case 'flip':
        frame[at] = edit.value;
        break;
      case 'truncate':
        frame = frame.subarray(0, at);
        break;
      case 'length':
        if (at + 4 <= frame.length) frame.writeInt32BE(edit.value, at);
        break;
      case 'insert':
        frame = Buffer.concat([frame.subarray(0, at), Buffer.from([edit.value]), frame.subarray(at)]);
        break;
    }
  }
  return frame;
}

const RANDOM_CASES = 40_000;
const MUTATION_CASES = 70_000;

test(`the request decoder survives ${RANDOM_CASES + MUTATION_CASES} fuzzed frames`, () => {
  const seeds = seedFrames();
  assert.ok(seeds.length > 300, 'seeds cover every API version');
  for (const seed of seeds) decodeFrame(seed);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => decodeFrame(Buffer.from(bytes))), { numRuns: RANDOM_CASES });
  fc.assert(fc.property(mutation(seeds), ({ seed, edits }) => decodeFrame(mutate(seeds[seed]!, edits))), { numRuns: MUTATION_CASES });
  console.log(`fuzzed ${RANDOM_CASES + MUTATION_CASES} frames over ${seeds.length} seed requests`);
});
