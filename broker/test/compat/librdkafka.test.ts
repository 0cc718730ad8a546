import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kcat, requireBinary, requirePythonModule, startBroker, type BrokerInstance } from '@tributary/testkit';
import { verifyConsumed } from './expected-records.ts';
import { parseJsonLines, runPythonClient } from './run-python-client.ts';

const COUNT = 100_000;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

describe('librdkafka 2.0 (python3-confluent-kafka and kcat) against the broker', () => {
  let broker: BrokerInstance;
  before(async () => {
    requirePythonModule('confluent_kafka', 'python3-confluent-kafka');
    requireBinary('kcat', 'kcat');
    broker = await startBroker();
  });
  after(async () => broker?.stop());

  for (const codec of CODECS) {
    test(`idempotent acks=all produce of ${COUNT} keyed records with headers (${codec}), consumed back exactly`, async () => {
      const topic = `compat-librdkafka-${codec}`;
      const base = Date.now() - 3_600_000;
      await runPythonClient('produce_confluent.py', [broker.bootstrap, topic, COUNT, codec, base]);
      const records = parseJsonLines(await runPythonClient('consume_confluent.py', [broker.bootstrap, topic, COUNT]));
      verifyConsumed(records, COUNT, { baseTimestamp: base, client: 'librdkafka' });
    });
  }

  test('kcat produces keyed records with headers and reads them back with offsets and timestamps', async () => {
    const topic = 'compat-kcat';
    const count = 10_000;
    const input = Array.from({ length: count }, (_, i) => `k${i % 13}:v${i}`).join('\n') + '\n';
    const produced = await kcat(['-b', broker.bootstrap, '-P', '-t', topic, '-K:', '-H', 'origin=kcat', '-X', 'acks=all', '-X', 'enable.idempotence=true', '-z', 'lz4'], { input, timeoutMs: 60_000 });
    assert.equal(produced.code, 0, produced.stderr);
    const consumed = await kcat(['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-c', String(count), '-f', '%p|%o|%k|%s|%T|%h\\n'], { timeoutMs: 60_000 });
    assert.equal(consumed.code, 0, consumed.stderr);
    const lines = consumed.stdout.split('\n').filter((line) => line.length > 0);
    assert.equal(lines.length, count);
    const nextOffset = new Map<string, number>();
    const seen = new Set<string>();
    for (const line of lines) {
      const [partition, offset, key, value, timestamp, headers] = line.split('|');
      assert.equal(Number(offset), nextOffset.get(partition!) ?? 0, `partition ${partition} offsets contiguous`);
      nextOffset.set(partition!, Number(offset) + 1);
      const i = Number(value!.slice(1));
      assert.equal(key, `k${i % 13}`);
      assert.equal(headers, 'origin=kcat');
      assert.ok(Number(timestamp) > 0);
      seen.add(value!);
    }
    assert.equal(seen.size, count);
  });
});
