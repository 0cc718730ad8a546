import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startBroker, type BrokerInstance } from '@tributary/testkit';
import { runGroupScenario } from './support/group-scenario.ts';
import { MemberProcess } from './support/member-process.ts';

const MEMBER = fileURLToPath(new URL('./support/kafkajs-member.ts', import.meta.url));

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

  test("each partition has one owner; a killed member's partitions move; nothing is skipped; commits never go back", async () => {
    await runGroupScenario(broker, 'group-orders', 'orders-group', (name) => new MemberProcess(process.execPath, ['--import', 'tsx', MEMBER, broker.bootstrap, 'orders-group', 'group-orders', name], name), members);
  });
});
