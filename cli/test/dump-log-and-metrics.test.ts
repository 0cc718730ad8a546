import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';

const { Kafka, logLevel } = kafkajs;
const repo = fileURLToPath(new URL('../../', import.meta.url));

function tributary(args: string[]) {
  return spawnSync(process.execPath, [join(repo, 'cli/bin/tributary.mjs'), ...args], { encoding: 'utf8', cwd: repo });
}

describe('broker tools: dump-log, /metrics, /health', () => {
  let broker: BrokerInstance;
  before(async () => {
    broker = await startBroker();
    const kafka = new Kafka({ clientId: 'tools', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'dumped', messages: [{ key: 'k1', value: 'hello', headers: { h: 'x' } }, { key: 'k2', value: 'world' }] });
    await producer.send({ topic: 'dumped', messages: [{ key: 'k3', value: 'again' }] });
    await producer.disconnect();
  });
  after(async () => broker?.stop());

  test('dump-log prints batches, records and index entries like kafka-dump-log', () => {
    const segment = join(broker.dataDir, 'dumped-0', '00000000000000000000');
    const text = tributary(['dump-log', '--files', `${segment}.log`, '--print-data-log']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /baseOffset: 0 lastOffset: 1 count: 2 .* isvalid: true/);
    assert.match(text.stdout, /\| offset: 0 CreateTime: \d+ key: k1 headers: h:x payload: hello/);
    assert.match(text.stdout, /baseOffset: 2 lastOffset: 2 count: 1/);
    const json = tributary(['dump-log', '--files', `${segment}.index`, '--output', 'json']);
    assert.equal(json.status, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).entries[0].offset, 0);
    const missing = tributary(['dump-log']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--files is required/);
  });

  test('/health answers 200 and /metrics shows bytes, messages, requests and log sizes', async () => {
    const health = await fetch(`http://127.0.0.1:${broker.adminPort}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const metrics: string = await waitFor(async () => {
      const text = await (await fetch(`http://127.0.0.1:${broker.adminPort}/metrics`)).text();
      return text.includes('tributary_broker_topic_messages_in_total{topic="dumped"} 3') ? text : '';
    }, { what: 'message counters on /metrics' });
    assert.match(metrics, /tributary_broker_topic_bytes_in_total\{topic="dumped"\} \d+/);
    assert.match(metrics, /tributary_broker_requests_total\{api="Produce"\} \d+/);
    assert.match(metrics, /tributary_broker_request_latency_seconds_bucket\{le="[^"]+",api="Produce"\}/);
    assert.match(metrics, /tributary_broker_log_size_bytes\{topic="dumped",partition="0"\} \d+/);
    assert.match(metrics, /tributary_broker_log_end_offset\{topic="dumped",partition="0"\} 3/);
  });
});
