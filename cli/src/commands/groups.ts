import { parseArgs } from 'node:util';
import { createAdmin } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { clientOptions } from '../client-options.ts';
import { printRows } from '../output.ts';

const LATEST = -1n;
const EARLIEST = -2n;

type Admin = ReturnType<typeof createAdmin>;

async function endOffsets(admin: Admin, topic: string, partitions: number[], timestamp: bigint): Promise<Map<number, bigint>> {
  const listed = await admin.listOffsets({ topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }] } as never);
  const out = new Map<number, bigint>();
  for (const entry of listed) for (const partition of entry.partitions) out.set(partition.partitionIndex, partition.offset);
  return out;
}

async function committed(admin: Admin, group: string) {
  const [offsets] = await admin.listConsumerGroupOffsets({ groups: [group] });
  return offsets?.topics ?? [];
}

/** `tributary groups list|describe|reset-offsets|delete`: kafka-consumer-groups for Tributary. */
export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...clientOptions,
      group: { type: 'string' },
      topic: { type: 'string' },
      'to-earliest': { type: 'boolean', default: false },
      'to-latest': { type: 'boolean', default: false },
      'to-datetime': { type: 'string' },
      'to-offset': { type: 'string' },
      'shift-by': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      execute: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const output = values.output as string;
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got '${output}'`);
  const admin = createAdmin({ bootstrapServers: values['bootstrap-server'] as string, clientId: 'tributary-cli' });
  const group = values.group as string | undefined;
  const needGroup = () => {
    if (!group) throw new UsageError('--group is required');
    return group;
  };
  try {
    switch (action) {
      case 'list': {
        const groups = await admin.listGroups();
        printRows([...groups.values()].map((g) => ({ group: g.id, state: g.state, protocolType: g.protocolType })), output);
        return 0;
      }
      case 'describe': {
        const id = needGroup();
        const described = (await admin.describeGroups({ groups: [id] })).get(id);
        const owners = new Map<string, { member: string; clientId: string; host: string }>();
        for (const member of described?.members.values() ?? []) {
          for (const [topic, assignment] of member.assignments ?? []) {
            for (const partition of assignment.partitions) owners.set(`${topic}:${partition}`, { member: member.id, clientId: member.clientId, host: member.clientHost });
          }
        }
        const rows = [];
        for (const topic of await committed(admin, id)) {
          const ends = await endOffsets(admin, topic.name, topic.partitions.map((p) => p.partitionIndex), LATEST);
          for (const partition of topic.partitions) {
            const end = ends.get(partition.partitionIndex) ?? -1n;
            const owner = owners.get(`${topic.name}:${partition.partitionIndex}`);
            rows.push({
              group: id,
              state: described?.state ?? 'Dead',
              topic: topic.name,
              partition: partition.partitionIndex,
              currentOffset: partition.committedOffset,
              logEndOffset: end,
              lag: partition.committedOffset >= 0n && end >= 0n ? end - partition.committedOffset : null,
              member: owner?.member ?? null,
              clientId: owner?.clientId ?? null,
              host: owner?.host ?? null,
            });
          }
        }
        printRows(rows, output, ['group', 'state', 'topic', 'partition', 'currentOffset', 'logEndOffset', 'lag', 'member', 'clientId', 'host']);
        return 0;
      }
      case 'reset-offsets': {
        const id = needGroup();
        const topic = values.topic as string | undefined;
        if (!topic) throw new UsageError('--topic is required');
        const modes = ['to-earliest', 'to-latest', 'to-datetime', 'to-offset', 'shift-by'].filter((mode) => values[mode as keyof typeof values] !== undefined && values[mode as keyof typeof values] !== false);
        if (modes.length !== 1) throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset, --shift-by');
        if (values['dry-run'] === values.execute) throw new UsageError('give --dry-run to see the plan or --execute to apply it');
        const metadata = await admin.metadata({ topics: [topic] });
        const count = metadata.topics.get(topic)?.partitionsCount;
        if (!count) throw new Error(`topic '${topic}' does not exist`);
        const partitions = Array.from({ length: count }, (_, i) => i);
        const earliest = await endOffsets(admin, topic, partitions, EARLIEST);
        const latest = await endOffsets(admin, topic, partitions, LATEST);
        const current = new Map((await committed(admin, id)).find((t) => t.name === topic)?.partitions.map((p) => [p.partitionIndex, p.committedOffset]) ?? []);
        let targets: Map<number, bigint>;
        if (values['to-earliest']) targets = earliest;
        else if (values['to-latest']) targets = latest;
        else if (values['to-datetime'] !== undefined) {
          const time = Date.parse(values['to-datetime'] as string);
          if (Number.isNaN(time)) throw new UsageError(`--to-datetime must be ISO 8601 (e.g. 2026-11-22T00:00:00Z), got '${values['to-datetime']}'`);
          const byTime = await endOffsets(admin, topic, partitions, BigInt(time));
          targets = new Map(partitions.map((p) => [p, (byTime.get(p) ?? -1n) >= 0n ? byTime.get(p)! : latest.get(p)!]));
        } else if (values['to-offset'] !== undefined) targets = new Map(partitions.map((p) => [p, BigInt(values['to-offset'] as string)]));
        else targets = new Map(partitions.map((p) => [p, (current.get(p) ?? earliest.get(p)!) + BigInt(values['shift-by'] as string)]));
        // Like Kafka's tool: never outside what the log holds.
        for (const p of partitions) {
          const clamped = targets.get(p)! < earliest.get(p)! ? earliest.get(p)! : targets.get(p)! > latest.get(p)! ? latest.get(p)! : targets.get(p)!;
          targets.set(p, clamped);
        }
        const rows = partitions.map((p) => ({ group: id, topic, partition: p, currentOffset: current.get(p) ?? null, newOffset: targets.get(p)! }));
        if (values.execute) {
          await admin.alterConsumerGroupOffsets({ groupId: id, topics: [{ name: topic, partitionOffsets: partitions.map((p) => ({ partition: p, offset: targets.get(p)! })) }] });
        }
        printRows(rows, output);
        if (values['dry-run']) process.stderr.write('dry run: nothing changed; run again with --execute to apply\n');
        return 0;
      }
      case 'delete': {
        const id = needGroup();
        await admin.deleteGroups({ groups: [id] });
        process.stderr.write(`deleted group ${id}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown groups action '${action ?? ''}': use list, describe, reset-offsets or delete`);
    }
  } finally {
    await admin.close();
  }
}
