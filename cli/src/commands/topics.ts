import { parseArgs } from 'node:util';
import { ConfigResourceTypes, ConfigSources, createAdmin, describeClusterMetadata, IncrementalAlterConfigOperationTypes, withBrokerHint } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { clientOptions } from '../client-options.ts';
import { printRows } from '../output.ts';
import { integerFlag, keyValueFlags, outputFlag, requireTopic } from './flag-values.ts';

type Admin = ReturnType<typeof createAdmin>;

async function requireExisting(admin: Admin, topic: string): Promise<void> {
  if (!(await admin.listTopics({ includeInternals: true })).includes(topic)) {
    throw new Error(`topic '${topic}' does not exist: see 'tributary topics list' or create it with 'tributary topics create --topic ${topic}'`);
  }
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
  const output = outputFlag(values.output, ['table', 'json']);
  const partitions = integerFlag('partitions', values.partitions, 1);
  const replicationFactor = integerFlag('replication-factor', values['replication-factor'], 1, 32767);
  const configs = keyValueFlags('config', values.config);
  const bootstrap = values['bootstrap-server'];
  const admin = createAdmin({ bootstrapServers: bootstrap, clientId: 'tributary-cli' });
  try {
    switch (action) {
      case 'create': {
        const topic = requireTopic(values.topic);
        // -1 asks the broker for its num.partitions / default.replication.factor.
        const created = await admin.createTopics({ topics: [topic], partitions: partitions ?? -1, replicas: replicationFactor ?? -1, configs });
        printRows(created.map((t) => ({ topic: t.name, id: t.id, partitions: t.partitions, replicationFactor: t.replicas })), output);
        return 0;
      }
      case 'list': {
        const topics = (await admin.listTopics({ includeInternals: values.internal })).sort();
        if (output === 'json') printRows(topics.map((topic) => ({ topic })), output);
        else for (const topic of topics) process.stdout.write(`${topic}\n`);
        return 0;
      }
      case 'describe': {
        // Metadata without the Admin client's retries, so a topic with an offline partition still shows.
        const metadata = await describeClusterMetadata(values['bootstrap-server'], values.topic !== undefined ? [values.topic] : null);
        if (values.topic !== undefined && !metadata.topics.has(values.topic)) await requireExisting(admin, values.topic);
        const names = [...metadata.topics].filter(([name, topic]) => name === values.topic || !topic.internal).map(([name]) => name).sort();
        const rows: Array<Record<string, unknown>> = [];
        if (names.length > 0) {
          const described = await admin.describeConfigs({ resources: names.map((name) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configurationKeys: null })) });
          for (const name of names) {
            // Only the topic's own overrides, as kafka-topics --describe shows them.
            const overrides = described.find((c) => c.resourceName === name)?.configs.filter((entry) => entry.configSource === ConfigSources.TOPIC_CONFIG) ?? [];
            const configText = overrides.map((c) => `${c.name}=${c.value}`).join(',');
            for (const { partition, leader, replicas, isr } of metadata.topics.get(name)!.partitions) rows.push({ topic: name, partition, leader, replicas, isr, configs: partition === 0 ? configText : '' });
          }
        }
        printRows(rows, output, ['topic', 'partition', 'leader', 'replicas', 'isr', 'configs']);
        return 0;
      }
      case 'alter': {
        const topic = requireTopic(values.topic);
        const removed = values['delete-config'] ?? [];
        if (configs.length === 0 && removed.length === 0 && partitions === undefined) throw new UsageError('give --config k=v, --delete-config k or --partitions N');
        await requireExisting(admin, topic);
        if (configs.length > 0 || removed.length > 0) {
          await admin.incrementalAlterConfigs({
            resources: [{
              resourceType: ConfigResourceTypes.TOPIC,
              resourceName: topic,
              configs: [
                ...configs.map((c) => ({ name: c.name, configOperation: IncrementalAlterConfigOperationTypes.SET, value: c.value })),
                ...removed.map((name) => ({ name, configOperation: IncrementalAlterConfigOperationTypes.DELETE, value: null })),
              ],
            }],
          });
        }
        if (partitions !== undefined) await admin.createPartitions({ topics: [{ name: topic, count: partitions, assignments: [] }] });
        process.stderr.write(`altered topic ${topic}\n`);
        return 0;
      }
      case 'delete': {
        const topic = requireTopic(values.topic);
        await requireExisting(admin, topic);
        await admin.deleteTopics({ topics: [topic] });
        process.stderr.write(`deleted topic ${topic}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown topics action '${action ?? ''}': use create, list, describe, alter or delete`);
    }
  } catch (error) {
    throw withBrokerHint(error, bootstrap);
  } finally {
    await admin.close();
  }
}
