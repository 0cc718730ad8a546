import { parseArgs } from 'node:util';
import { listPartitionReassignmentsV0 } from '@platformatic/kafka';
import { configureKafkaClients, describeClusterMetadata, withBrokerConnection, withBrokerHint, type ClusterMetadata } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { securedClientOptions } from '../client-options.ts';
import { printRows } from '../output.ts';
import { outputFlag } from './flag-values.ts';
import type { OngoingReassignment } from './reassign-admin.ts';

interface PartitionRow {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

/**
 * `tributary cluster describe`: brokers, the controller, how partitions and leaders spread, and
 * what needs attention (under-replicated and offline partitions, reassignments in progress).
 * From Metadata and ListPartitionReassignments, so it works against Apache Kafka too.
 */
export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'describe') throw new UsageError(`unknown cluster action '${action ?? ''}': use describe`);
  const { values } = parseArgs({ args: rest, options: { ...securedClientOptions }, strict: true });
  configureKafkaClients(values['command-config']);
  const output = outputFlag(values.output, ['table', 'json']);
  const bootstrap = values['bootstrap-server'];
  try {
    const metadata = await describeClusterMetadata(bootstrap, null);
    const topics = [...metadata.topics.keys()].sort();
    const partitions: PartitionRow[] = topics.flatMap((topic) => metadata.topics.get(topic)!.partitions.map(({ partition, leader, replicas, isr }) => ({ topic, partition, leader, replicas, isr })));
    const reassignments = await listReassignments(metadata);
    const brokerIds = [...metadata.brokers.keys()].sort((a, b) => a - b);
    const brokers = brokerIds.map((id) => {
      const broker = metadata.brokers.get(id)!;
      return {
        id,
        host: `${broker.host}:${broker.port}`,
        rack: broker.rack,
        controller: id === metadata.controllerId,
        partitions: partitions.filter((p) => p.replicas.includes(id)).length,
        leaders: partitions.filter((p) => p.leader === id).length,
      };
    });
    const live = new Set(brokerIds);
    const underReplicated = partitions.filter((p) => p.isr.length < p.replicas.length);
    const offline = partitions.filter((p) => p.leader < 0 || !live.has(p.leader));
    if (output === 'json') {
      process.stdout.write(JSON.stringify({ clusterId: metadata.clusterId, controllerId: metadata.controllerId, brokers, underReplicatedPartitions: underReplicated, offlinePartitions: offline, reassignments }) + '\n');
      return 0;
    }
    process.stdout.write(`Cluster ${metadata.clusterId}: ${brokers.length} broker${brokers.length === 1 ? '' : 's'}, controller ${metadata.controllerId}, ${partitions.length} partitions in ${topics.length} topics\n\n`);
    printRows(brokers.map((b) => ({ ...b, controller: b.controller ? 'yes' : '' })), output, ['id', 'host', 'rack', 'controller', 'partitions', 'leaders']);
    const section = (title: string, rows: Array<Record<string, unknown>>, columns: string[]) => {
      process.stdout.write(`\n${title}: ${rows.length === 0 ? 'none' : rows.length}\n`);
      if (rows.length > 0) printRows(rows, output, columns);
    };
    section('Under-replicated partitions', underReplicated as never, ['topic', 'partition', 'leader', 'replicas', 'isr']);
    section('Offline partitions', offline as never, ['topic', 'partition', 'leader', 'replicas', 'isr']);
    section('Reassignments in progress', reassignments as never, ['topic', 'partition', 'replicas', 'addingReplicas', 'removingReplicas']);
    return 0;
  } catch (error) {
    throw withBrokerHint(error, bootstrap);
  }
}

/** ListPartitionReassignments at the controller, as Kafka's admin client sends it; all topics. */
async function listReassignments(metadata: ClusterMetadata): Promise<OngoingReassignment[]> {
  const controller = metadata.brokers.get(metadata.controllerId);
  if (metadata.topics.size === 0 || !controller) return [];
  const response = await withBrokerConnection(`${controller.host}:${controller.port}`, 'tributary-cli', (connection) =>
    listPartitionReassignmentsV0.api.async(connection, 30_000, null as never),
  );
  return response.topics.flatMap((topic) =>
    topic.partitions.map((p) => ({ topic: topic.name, partition: p.partitionIndex, replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas })),
  );
}
