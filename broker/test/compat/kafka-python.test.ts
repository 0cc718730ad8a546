import { after, before, describe, test } from 'node:test';
import { requirePythonModule, startBroker, type BrokerInstance } from '@tributary/testkit';
import { verifyConsumed } from './expected-records.ts';
import { parseJsonLines, runPythonClient } from './run-python-client.ts';

const COUNT = 100_000;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

describe('kafka-python 2.0 (python3-kafka) against the broker', () => {
  let broker: BrokerInstance;
  before(async () => {
    requirePythonModule('kafka', 'python3-kafka');
    requirePythonModule('snappy', 'python3-snappy');
    requirePythonModule('lz4', 'python3-lz4');
    requirePythonModule('zstandard', 'python3-zstandard');
    broker = await startBroker();
  });
  after(async () => broker?.stop());

  for (const codec of CODECS) {
    test(`acks=all produce of ${COUNT} keyed records with headers (${codec}), consumed back exactly`, async () => {
      const topic = `compat-kafka-python-${codec}`;
      const base = Date.now() - 3_600_000;
      await runPythonClient('produce_kafka_python.py', [broker.bootstrap, topic, COUNT, codec, base]);
      const records = parseJsonLines(await runPythonClient('consume_kafka_python.py', [broker.bootstrap, topic, COUNT]));
      verifyConsumed(records, COUNT, { baseTimestamp: base, client: 'kafka-python' });
    });
  }
});
