import { parseArgs } from 'node:util';
import { createAdmin } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { clientOptions } from '../client-options.ts';
import { printRows } from '../output.ts';

const TOPIC_RESOURCE = 2;

function parseConfigs(entries: string[] | undefined): Array<{ name: string; value: string }> {
  return (entries ?? []).map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`--config takes key=value, got '${entry}'`);
    return { name: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

function requireTopic(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new UsageError('--topic is required');
  return value;
}

/** `tributary topics create|list|describe|alter|delete`, through the Kafka admin API. */
export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      ...clientOptions,
      topic: { type: 'string' },
      partitions: { type: 'string' },
      'replication-factor': { type: 'string' },
      config: { type: 'string', multiple: true },
      'delete-config': { type: 'string', multiple: true },
      internal: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const output = values.output as string;
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output must be table or json, got '${output}'`);
  const admin = createAdmin({ bootstrapServers: values['bootstrap-server'] as string, clientId: 'tributary-cli' });
  try {
    switch (action) {
      case 'create': {
        const topic = requireTopic(values.topic);
        const created = await admin.createTopics({
          topics: [topic],
          partitions: values.partitions ? Number(values.partitions) : -1,
          replicas: values['replication-factor'] ? Number(values['replication-factor']) : -1,
          configs: parseConfigs(values.config as string[] | undefined),
        });
        printRows(created.map((t) => ({ topic: t.name, id: t.id, partitions: t.partitions, replicationFactor: t.replicas })), output);
        return 0;
      }
      case 'list': {
        const topics = (await admin.listTopics({ includeInternals: values.internal as boolean })).sort();
        if (output === 'json') printRows(topics.map((topic) => ({ topic })), output);
        else for (const topic of topics) process.stdout.write(`${topic}\n`);
        return 0;
      }
      case 'describe': {
        const names = values.topic ? [values.topic as string] : (await admin.listTopics()).sort();
        const metadata = await admin.metadata({ topics: names });
        const configs = await admin.describeConfigs({ resources: names.map((name) => ({ resourceType: TOPIC_RESOURCE, resourceName: name, configurationKeys: null })) });
        const rows: Array<Record<string, unknown>> = [];
        for (const name of names) {
          const topic = metadata.topics.get(name);
          if (!topic) throw new Error(`topic '${name}' does not exist`);
          const overrides = configs.find((c) => c.resourceName === name)?.configs.filter((entry) => entry.configSource === 1) ?? [];
          const configText = overrides.map((c) => `${c.name}=${c.value}`).join(',');
          topic.partitions.forEach((partition, index) => {
            rows.push({ topic: name, partition: index, leader: partition.leader, replicas: partition.replicas, isr: partition.isr, configs: index === 0 ? configText : '' });
          });
        }
        printRows(rows, output, ['topic', 'partition', 'leader', 'replicas', 'isr', 'configs']);
        return 0;
      }
      case 'alter': {
        const topic = requireTopic(values.topic);
        const set = parseConfigs(values.config as string[] | undefined);
        const removed = (values['delete-config'] as string[] | undefined) ?? [];
        if (set.length === 0 && removed.length === 0 && !values.partitions) throw new UsageError('give --config k=v, --delete-config k or --partitions N');
        if (set.length > 0 || removed.length > 0) {
          await admin.incrementalAlterConfigs({
            resources: [{
              resourceType: TOPIC_RESOURCE,
              resourceName: topic,
              configs: [...set.map((c) => ({ name: c.name, configOperation: 0, value: c.value })), ...removed.map((name) => ({ name, configOperation: 1, value: '' }))] as never,
            }],
          });
        }
        if (values.partitions) await admin.createPartitions({ topics: [{ name: topic, count: Number(values.partitions), assignments: [] }] });
        process.stderr.write(`altered topic ${topic}\n`);
        return 0;
      }
      case 'delete': {
        const topic = requireTopic(values.topic);
        await admin.deleteTopics({ topics: [topic] });
        process.stderr.write(`deleted topic ${topic}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown topics action '${action ?? ''}': use create, list, describe, alter or delete`);
    }
  } finally {
    await admin.close();
  }
}
