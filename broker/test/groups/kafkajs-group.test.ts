import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startBroker, waitFor, type BrokerInstance } from '@tributary/testkit';
import { coversExactlyOnce, MemberProcess } from './support/member-process.ts';

const { Kafka, logLevel } = kafkajs;
const MEMBER = fileURLToPath(new URL('./support/kafkajs-member.ts', import.meta.url));
const PARTITIONS = 9;

describe('a kafkajs consumer group of 3 on 9 partitions through member failure and return', () => {
  let broker: BrokerInstance;
  const members: MemberProcess[] = [];
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  });
  after(async () => {
    await Promise.all(members.map((member) => member.stop()));
    await broker?.stop();
  });

  test('each partition has one owner; a killed member\'s partitions move; nothing is skipped; commits never go back', async () => {
    const topic = 'group-orders';
    const group = 'orders-group';
    const kafka = new Kafka({ clientId: 'group-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    let produced = 0;
    const produce = async (count: number) => {
      const messages = Array.from({ length: count }, () => ({ key: `k${produced % 50}`, value: String(produced++) }));
      await producer.send({ topic, acks: -1, messages });
    };

    // Committed offsets must never move backwards, whatever happens to the members.
    const highest = new Map<number, number>();
    let regressions = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        try {
          const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          for (const { partition, offset } of offsets!.partitions) {
            const value = Number(offset);
            if (value < 0) continue;
            if (value < (highest.get(partition) ?? -1)) regressions++;
            highest.set(partition, Math.max(value, highest.get(partition) ?? -1));
          }
        } catch {
          // coordinator busy rebalancing: look again
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const spawnMember = (name: string) => {
      const member = new MemberProcess(process.execPath, ['--import', 'tsx', MEMBER, broker.bootstrap, group, topic, name], name);
      members.push(member);
      return member;
    };
    try {
      await produce(3000);
      const first = [spawnMember('m1'), spawnMember('m2'), spawnMember('m3')];
      await waitFor(() => coversExactlyOnce(first, PARTITIONS) && first.every((m) => m.assignment!.length === 3), { what: '3 members owning 3 partitions each', timeoutMs: 60_000 });

      await produce(3000);
      first[2]!.kill9();
      const survivors = first.slice(0, 2);
      await waitFor(() => coversExactlyOnce(survivors, PARTITIONS), { what: 'the killed member\'s partitions moving to the survivors', timeoutMs: 30_000 });

      await produce(3000);
      const returned = spawnMember('m3-again');
      const current = [...survivors, returned];
      await waitFor(() => coversExactlyOnce(current, PARTITIONS) && current.every((m) => (m.assignment?.length ?? 0) === 3), { what: 'the returning member rebalanced in', timeoutMs: 60_000 });
      await produce(3000);

      const consumed = () => {
        const values = new Set<number>();
        for (const member of members) for (const event of member.events) if (event.v !== undefined) values.add(Number(event.v));
        return values;
      };
      await waitFor(() => consumed().size === produced, { what: `all ${produced} records consumed`, timeoutMs: 60_000 });
      for (let id = 0; id < produced; id++) assert.ok(consumed().has(id), `record ${id} was skipped`);
    } finally {
      watching = false;
      await watcher;
      await producer.disconnect();
      await admin.disconnect();
    }
    assert.equal(regressions, 0, 'committed offsets never went backwards');
  });
});
