import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cooperativeStickyAssignor, countOf, rangeAssignor, roundRobinAssignor, stickyAssignor, type Assignment, type Assignor, type AssignorMember } from '@tributary/common/assignors';

const ASSIGNORS: Array<[string, Assignor]> = [['range', rangeAssignor], ['roundrobin', roundRobinAssignor], ['sticky', stickyAssignor]];

const scenario = fc.record({
  members: fc.integer({ min: 1, max: 7 }),
  topics: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 4 }),
});

function build(members: number, topicSizes: number[]) {
  const partitionsPerTopic = new Map(topicSizes.map((size, i) => [`t${i}`, size]));
  const list: AssignorMember[] = Array.from({ length: members }, (_, i) => ({ memberId: `m${i}`, topics: [...partitionsPerTopic.keys()] }));
  return { list, partitionsPerTopic };
}

function owners(assignment: Assignment): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [member, topics] of assignment) for (const [topic, partitions] of topics) for (const p of partitions) out.set(`${topic}:${p}`, [...(out.get(`${topic}:${p}`) ?? []), member]);
  return out;
}

for (const [name, assignor] of ASSIGNORS) {
  test(`${name}: every subscribed partition is assigned exactly once`, () => {
    fc.assert(fc.property(scenario, ({ members, topics }) => {
      const { list, partitionsPerTopic } = build(members, topics);
      const owned = owners(assignor(list, partitionsPerTopic));
      const total = topics.reduce((a, b) => a + b, 0);
      assert.equal(owned.size, total);
      for (const list2 of owned.values()) assert.equal(list2.length, 1);
    }));
  });
}

for (const [name, assignor] of [['roundrobin', roundRobinAssignor], ['sticky', stickyAssignor]] as const) {
  test(`${name}: balanced within one partition when subscriptions are identical`, () => {
    fc.assert(fc.property(scenario, ({ members, topics }) => {
      const { list, partitionsPerTopic } = build(members, topics);
      const assignment = assignor(list, partitionsPerTopic);
      const counts = list.map((m) => countOf(assignment, m.memberId));
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts}`);
    }));
  });
}

test('range: balanced per topic', () => {
  const { list, partitionsPerTopic } = build(3, [9]);
  assert.deepEqual([...rangeAssignor(list, partitionsPerTopic).values()].map((t) => t.get('t0')), [[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
});

test("sticky: 3 consumers on 9 partitions, consumer 3 dies: 1 and 2 keep theirs and share 6-8", () => {
  const partitionsPerTopic = new Map([['t', 9]]);
  const first = stickyAssignor([{ memberId: 'c1', topics: ['t'] }, { memberId: 'c2', topics: ['t'] }, { memberId: 'c3', topics: ['t'] }], partitionsPerTopic);
  const c1 = first.get('c1')!.get('t')!;
  const c2 = first.get('c2')!.get('t')!;
  const c3 = first.get('c3')!.get('t')!;
  const after = stickyAssignor([{ memberId: 'c1', topics: ['t'], ownedPartitions: [{ topic: 't', partitions: c1 }] }, { memberId: 'c2', topics: ['t'], ownedPartitions: [{ topic: 't', partitions: c2 }] }], partitionsPerTopic);
  for (const p of c1) assert.ok(after.get('c1')!.get('t')!.includes(p));
  for (const p of c2) assert.ok(after.get('c2')!.get('t')!.includes(p));
  assert.deepEqual([...after.get('c1')!.get('t')!, ...after.get('c2')!.get('t')!].filter((p) => c3.includes(p)).sort(), [...c3].sort());
});

test('sticky keeps every partition it can after any member leaves (property)', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 30 }), fc.nat(), (members, partitions, leaver) => {
    const topic = new Map([['t', partitions]]);
    const list = Array.from({ length: members }, (_, i) => ({ memberId: `m${i}`, topics: ['t'] }));
    const first = stickyAssignor(list, topic);
    const gone = list[leaver % members]!.memberId;
    const remaining = list.filter((m) => m.memberId !== gone).map((m) => ({ ...m, ownedPartitions: [{ topic: 't', partitions: first.get(m.memberId)!.get('t') ?? [] }] }));
    const next = stickyAssignor(remaining, topic);
    const quota = Math.floor(partitions / remaining.length);
    for (const member of remaining) {
      const kept = (next.get(member.memberId)!.get('t') ?? []).filter((p) => member.ownedPartitions[0]!.partitions.includes(p)).length;
      assert.ok(kept >= Math.min(quota, member.ownedPartitions[0]!.partitions.length), `${member.memberId} kept ${kept}`);
    }
  }));
});

test('cooperative-sticky never hands a partition to a new owner in the round it is revoked', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 20 }), (members, partitions) => {
    const topic = new Map([['t', partitions]]);
    const list = Array.from({ length: members }, (_, i) => ({ memberId: `m${i}`, topics: ['t'] }));
    const first = stickyAssignor(list, topic);
    const grown: AssignorMember[] = [...list.map((m) => ({ ...m, ownedPartitions: [{ topic: 't', partitions: first.get(m.memberId)!.get('t') ?? [] }] })), { memberId: 'new', topics: ['t'] }];
    const round = cooperativeStickyAssignor(grown, topic);
    for (const member of grown) {
      const owned = member.ownedPartitions?.[0]?.partitions ?? [];
      for (const p of round.get(member.memberId)!.get('t') ?? []) {
        const previous = grown.find((other) => other.ownedPartitions?.[0]?.partitions.includes(p));
        assert.ok(!previous || previous.memberId === member.memberId || owned.includes(p), `partition ${p} moved in one round`);
      }
    }
  }));
});
