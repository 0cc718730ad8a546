import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { waitFor, type BrokerInstance } from '@tributary/testkit';
import { coversExactlyOnce, MemberProcess } from './member-process.ts';

const { Kafka, logLevel } = kafkajs;
const PARTITIONS = 9;

/**
 * The group acceptance scenario, for any client: 3 members on 9 partitions; one is killed -9
 * and its partitions move to the others; it returns and the group rebalances again. Nothing
 * may be skipped and committed offsets may never go backwards. `spawnMember` starts a member
 * process of the client under test.
 */
export async function runGroupScenario(
  broker: BrokerInstance,
  topic: string,
  group: string,
  spawnMember: (name: string) => MemberProcess,
  members: MemberProcess[],
  options: { incremental?: boolean } = {},
): Promise<void> {
  const kafka = new Kafka({ clientId: 'group-scenario', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
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
  const start = (name: string) => {
    const member = spawnMember(name);
    members.push(member);
    return member;
  };
  try {
    await produce(3000);
    const first = [start('m1'), start('m2'), start('m3')];
    await waitFor(() => coversExactlyOnce(first, PARTITIONS) && first.every((m) => m.assignment!.length === 3), { what: '3 members owning 3 partitions each', timeoutMs: 60_000 });

    await produce(3000);
    first[2]!.kill9();
    const survivors = first.slice(0, 2);
    await waitFor(() => coversExactlyOnce(survivors, PARTITIONS), { what: "the killed member's partitions moving to the survivors", timeoutMs: 30_000 });

    await produce(3000);
    const before = survivors.map((member) => ({ member, owned: [...member.assignment!], seen: member.events.length }));
    const current = [...survivors, start('m3-again')];
    await waitFor(() => coversExactlyOnce(current, PARTITIONS) && current.every((m) => (m.assignment?.length ?? 0) === 3), { what: 'the returning member rebalanced in', timeoutMs: 60_000 });
    if (options.incremental) {
      // Incremental cooperative rebalancing: a survivor gives up only what moves to the newcomer
      // and keeps consuming the rest throughout.
      for (const { member, owned, seen } of before) {
        const revoked = member.events.slice(seen).flatMap((event) => event.revoked ?? []);
        const kept = owned.filter((partition) => member.assignment!.includes(partition));
        assert.deepEqual(revoked.filter((partition) => kept.includes(partition)), [], `${member.name} kept ${kept.join(',')} and must not have had them revoked (revoked ${revoked.join(',')})`);
        assert.ok(kept.length >= 3, `${member.name} keeps at least 3 of its ${owned.length} partitions (kept ${kept.join(',')})`);
      }
    }
    await produce(3000);

    const consumed = () => {
      const values = new Set<number>();
      for (const member of members) for (const event of member.events) if (event.v !== undefined) values.add(Number(event.v));
      return values;
    };
    await waitFor(() => consumed().size === produced, { what: `all ${produced} records consumed`, timeoutMs: 60_000 });
  } finally {
    watching = false;
    await watcher;
    await producer.disconnect();
    await admin.disconnect();
  }
  assert.equal(regressions, 0, 'committed offsets never went backwards');
}
