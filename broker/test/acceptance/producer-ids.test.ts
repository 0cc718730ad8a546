import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createProducer } from '@tributary/common/kafka';
import { kcat, startBroker, type BrokerInstance } from '@tributary/testkit';

describe('idempotent producer ids', () => {
  let broker: BrokerInstance;
  before(async () => {
    broker = await startBroker();
  });
  after(async () => broker?.stop());

  test('each new idempotent producer gets its own id, so a second producer on a partition is written', async () => {
    const ids: bigint[] = [];
    for (const value of ['first', 'second', 'third']) {
      const producer = createProducer({ bootstrapServers: broker.bootstrap, clientId: 'test' });
      try {
        await producer.send({ messages: [{ topic: 'two-producers', partition: 0, value }] });
        ids.push(producer.producerId!);
      } finally {
        await producer.close();
      }
    }
    assert.equal(new Set(ids).size, 3, `distinct producer ids, got ${ids.join(', ')}`);
    const read = await kcat(['-b', broker.bootstrap, '-C', '-t', 'two-producers', '-e', '-f', '%s\n'], { timeoutMs: 30_000 });
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(read.stdout.trim().split('\n'), ['first', 'second', 'third']);
  });
});
