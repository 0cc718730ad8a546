import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker, type BrokerInstance } from '@tributary/testkit';

const repo = fileURLToPath(new URL('../../', import.meta.url));

function tributary(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repo, 'cli/bin/tributary.mjs'), ...args], { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

describe('tributary topics, produce and consume', () => {
  let broker: BrokerInstance;
  let bootstrap: string[];
  before(async () => {
    broker = await startBroker();
    bootstrap = ['--bootstrap-server', broker.bootstrap];
  });
  after(async () => broker?.stop());

  test('create, list, describe, alter and delete a topic', async () => {
    const created = await tributary(['topics', 'create', '--topic', 'cli-topic', '--partitions', '3', '--config', 'retention.ms=3600000', ...bootstrap, '--output', 'json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout)[0].partitions, 3);
    assert.match((await tributary(['topics', 'list', ...bootstrap])).stdout, /^cli-topic$/m);
    const described = JSON.parse((await tributary(['topics', 'describe', '--topic', 'cli-topic', ...bootstrap, '--output', 'json'])).stdout);
    assert.equal(described.length, 3);
    assert.equal(described[0].configs, 'retention.ms=3600000');
    assert.equal((await tributary(['topics', 'alter', '--topic', 'cli-topic', '--config', 'retention.ms=1000', '--partitions', '5', ...bootstrap])).code, 0);
    const altered = JSON.parse((await tributary(['topics', 'describe', '--topic', 'cli-topic', ...bootstrap, '--output', 'json'])).stdout);
    assert.equal(altered.length, 5);
    assert.equal(altered[0].configs, 'retention.ms=1000');
    const bad = await tributary(['topics', 'alter', '--topic', 'cli-topic', '--config', 'retention.ms=soon', ...bootstrap]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /retention\.ms/);
    assert.equal((await tributary(['topics', 'delete', '--topic', 'cli-topic', ...bootstrap])).code, 0);
    assert.doesNotMatch((await tributary(['topics', 'list', ...bootstrap])).stdout, /cli-topic/);
  });

  test('1000 lines produced with keys and headers come back exactly, with offsets', async () => {
    await tributary(['topics', 'create', '--topic', 'lines', '--partitions', '1', ...bootstrap]);
    const input = Array.from({ length: 1000 }, (_, i) => `key${i % 10}|value ${i}`).join('\n') + '\n';
    const produced = await tributary(['produce', '--topic', 'lines', '--key-separator', '|', '--header', 'origin=cli', ...bootstrap], input);
    assert.equal(produced.code, 0, produced.stderr);
    assert.match(produced.stderr, /produced 1000 records/);
    const consumed = await tributary(['consume', '--topic', 'lines', '--from-beginning', '--max-messages', '1000', '--output', 'json', ...bootstrap]);
    assert.equal(consumed.code, 0, consumed.stderr);
    const records = consumed.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(records.length, 1000);
    records.forEach((record, i) => {
      assert.equal(record.offset, i);
      assert.equal(record.key, `key${i % 10}`);
      assert.equal(record.value, `value ${i}`);
      assert.deepEqual(record.headers, { origin: 'cli' });
    });
    const fromOffset = await tributary(['consume', '--topic', 'lines', '--partition', '0', '--offset', '990', '--max-messages', '10', ...bootstrap]);
    assert.deepEqual(fromOffset.stdout.trim().split('\n'), Array.from({ length: 10 }, (_, i) => `value ${990 + i}`));
  });

  test('usage errors exit 2 with a message naming the fix', async () => {
    const missing = await tributary(['produce', ...bootstrap]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--topic is required/);
    const unknownFlag = await tributary(['topics', 'list', '--colour']);
    assert.equal(unknownFlag.code, 2);
    const unknownCommand = await tributary(['toppics']);
    assert.equal(unknownCommand.code, 2);
    assert.match(unknownCommand.stderr, /tributary --help/);
  });
});
