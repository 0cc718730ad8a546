import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEBIAN_PYTHON, requirePythonModule, startBroker, type BrokerInstance } from '@tributary/testkit';
import { runGroupScenario } from './support/group-scenario.ts';
import { MemberProcess } from './support/member-process.ts';

const MEMBER = fileURLToPath(new URL('./support/librdkafka_member.py', import.meta.url));

describe('a librdkafka (python3-confluent-kafka) consumer group of 3 on 9 partitions through member failure and return', () => {
  let broker: BrokerInstance;
  const members: MemberProcess[] = [];
  before(async () => {
    requirePythonModule('confluent_kafka', 'python3-confluent-kafka');
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  });
  after(async () => {
    await Promise.all(members.map((member) => member.stop()));
    await broker?.stop();
  });

  test("each partition has one owner; a killed member's partitions move; nothing is skipped; commits never go back", async () => {
    await runGroupScenario(broker, 'rd-orders', 'rd-group', (name) => new MemberProcess(DEBIAN_PYTHON, [MEMBER, broker.bootstrap, 'rd-group', 'rd-orders', name], name), members);
  });
});

describe('a librdkafka consumer group with cooperative-sticky assignment (incremental rebalancing)', () => {
  let broker: BrokerInstance;
  const members: MemberProcess[] = [];
  before(async () => {
    requirePythonModule('confluent_kafka', 'python3-confluent-kafka');
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  });
  after(async () => {
    await Promise.all(members.map((member) => member.stop()));
    await broker?.stop();
  });

  test('a member joining takes partitions from the others without them giving up the rest; nothing skipped, commits never go back', async () => {
    const spawn = (name: string) => new MemberProcess(DEBIAN_PYTHON, [MEMBER, broker.bootstrap, 'coop-group', 'coop-orders', name, 'cooperative-sticky'], name);
    await runGroupScenario(broker, 'coop-orders', 'coop-group', spawn, members, { incremental: true });
  });
});
