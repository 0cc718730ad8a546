import { parseArgs } from 'node:util';
import { createAdmin, withBrokerHint } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { clientOptions } from '../client-options.ts';
import { printRows } from '../output.ts';
import { integerFlag, outputFlag } from './flag-values.ts';
import { connectReassignmentAdmin, setThrottle } from './reassign-admin.ts';
import { parseBrokerList, planJson, proposeAssignment, readPlan, readTopicsToMove, type PartitionMove } from './reassign-plan.ts';

type Admin = ReturnType<typeof createAdmin>;

/** Current replica lists of the topics, as a plan (for review and rollback). */
async function currentAssignment(admin: Admin, topics: string[]): Promise<PartitionMove[]> {
  const existing = new Set(await admin.listTopics({ includeInternals: true }));
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length > 0) throw new Error(`topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} do${missing.length > 1 ? '' : 'es'} not exist: see 'tributary topics list'`);
  const metadata = await admin.metadata({ topics, forceUpdate: true });
  return topics.flatMap((topic) => metadata.topics.get(topic)!.partitions.map((p, partition) => ({ topic, partition, replicas: p.replicas })));
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * `tributary reassign`: kafka-reassign-partitions.sh for Tributary (and Kafka).
 *   --generate  proposes a balanced assignment of some topics over a list of brokers
 *   --execute   starts moving partitions to a plan, under an optional replication throttle
 *   --verify    reports each partition completed / in progress; exit 0 when all completed (and the
 *               throttle is then removed, as Kafka does), 1 while any is still moving
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...clientOptions,
      generate: { type: 'boolean', default: false },
      execute: { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      'topics-to-move-json-file': { type: 'string' },
      'broker-list': { type: 'string' },
      'reassignment-json-file': { type: 'string' },
      throttle: { type: 'string' },
    },
    strict: true,
  });
  const output = outputFlag(values.output, ['table', 'json']);
  const actions = (['generate', 'execute', 'verify'] as const).filter((action) => values[action]);
  if (actions.length !== 1) throw new UsageError('give exactly one of --generate, --execute or --verify');
  const action = actions[0]!;
  const throttle = integerFlag('throttle', values.throttle, 1);
  if (throttle !== undefined && action !== 'execute') throw new UsageError('--throttle goes with --execute (--verify removes it once the moves complete)');

  // Read and check files before connecting, so a bad file is a usage error even with no broker.
  let topics: string[] = [];
  let brokerList: number[] = [];
  let plan: PartitionMove[] = [];
  if (action === 'generate') {
    if (!values['topics-to-move-json-file'] || !values['broker-list']) throw new UsageError('--generate needs --topics-to-move-json-file FILE and --broker-list "1,2,3"');
    topics = readTopicsToMove(values['topics-to-move-json-file']);
    brokerList = parseBrokerList(values['broker-list']);
  } else {
    if (!values['reassignment-json-file']) throw new UsageError(`--${action} needs --reassignment-json-file FILE (a plan as --generate prints it)`);
    plan = readPlan(values['reassignment-json-file']).partitions;
  }

  const bootstrap = values['bootstrap-server'];
  const admin = createAdmin({ bootstrapServers: bootstrap, clientId: 'tributary-cli' });
  try {
    if (action === 'generate') return await generate(admin, topics, brokerList, output);
    if (action === 'execute') return await execute(admin, bootstrap, plan, throttle ?? null, output);
    return await verify(admin, bootstrap, plan, output);
  } catch (error) {
    throw withBrokerHint(error, bootstrap);
  } finally {
    await admin.close();
  }
}

async function generate(admin: Admin, topics: string[], brokerList: number[], output: string): Promise<number> {
  const metadata = await admin.metadata({ topics: [], forceUpdate: true });
  const unknown = brokerList.filter((id) => !metadata.brokers.has(id));
  if (unknown.length > 0) throw new Error(`--broker-list names broker${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} that ${unknown.length > 1 ? 'are' : 'is'} not in the cluster: see 'tributary cluster describe'`);
  const brokers = brokerList.map((brokerId) => ({ brokerId, rack: metadata.brokers.get(brokerId)!.rack ?? null }));
  const current = await currentAssignment(admin, topics);
  // The broker package is loaded only here: --execute and --verify need nothing of it.
  const { assignReplicas } = await import('@tributary/broker');
  const proposed = proposeAssignment(current, brokers, assignReplicas);
  if (output === 'json') {
    process.stdout.write(JSON.stringify({ current: JSON.parse(planJson(current)), proposed: JSON.parse(planJson(proposed)) }) + '\n');
  } else {
    process.stdout.write(`Current partition replica assignment\n${planJson(current)}\n\nProposed partition reassignment configuration\n${planJson(proposed)}\n`);
  }
  return 0;
}

async function execute(admin: Admin, bootstrap: string, plan: PartitionMove[], throttle: number | null, output: string): Promise<number> {
  const topics = [...new Set(plan.map((move) => move.topic))];
  const current = await currentAssignment(admin, topics);
  const missing = plan.filter((move) => !current.some((c) => c.topic === move.topic && c.partition === move.partition));
  if (missing.length > 0) throw new Error(`the plan names partitions that do not exist: ${missing.map((m) => `${m.topic}-${m.partition}`).join(', ')}`);
  const metadata = await admin.metadata({ topics: [] });
  const brokers = [...metadata.brokers.keys()].sort((a, b) => a - b);
  const unknown = [...new Set(plan.flatMap((move) => move.replicas))].filter((id) => !metadata.brokers.has(id));
  if (unknown.length > 0) throw new Error(`the plan places replicas on broker${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which ${unknown.length > 1 ? 'are' : 'is'} not in the cluster: start ${unknown.length > 1 ? 'them' : 'it'} or change the plan`);
  // Set the throttle before the moves start, so the first fetches of new replicas are already limited.
  if (throttle !== null) await setThrottle(admin, brokers, throttle);
  const reassignments = await connectReassignmentAdmin(bootstrap);
  try {
    await reassignments.alter(plan);
  } finally {
    await reassignments.close();
  }
  const rollback = planJson(current.filter((c) => plan.some((m) => m.topic === c.topic && m.partition === c.partition)));
  if (output === 'json') {
    process.stdout.write(JSON.stringify({ started: plan.length, throttle, rollback: JSON.parse(rollback) }) + '\n');
  } else {
    process.stdout.write(`Current partition replica assignment\n${rollback}\n\nSave this to use as the --reassignment-json-file option during rollback\n`);
    if (throttle !== null) process.stdout.write(`The inter-broker throttle limit was set to ${throttle} B/s\n`);
    process.stdout.write(`Successfully started partition reassignment${plan.length > 1 ? 's' : ''} for ${plan.map((m) => `${m.topic}-${m.partition}`).join(',')}\n`);
  }
  return 0;
}

async function verify(admin: Admin, bootstrap: string, plan: PartitionMove[], output: string): Promise<number> {
  const topics = [...new Set(plan.map((move) => move.topic))];
  const reassignments = await connectReassignmentAdmin(bootstrap);
  let ongoing;
  try {
    ongoing = await reassignments.list(topics, (topic) => plan.filter((m) => m.topic === topic).map((m) => m.partition));
  } finally {
    await reassignments.close();
  }
  const current = await currentAssignment(admin, topics);
  const rows = plan.map((move) => {
    const moving = ongoing.find((o) => o.topic === move.topic && o.partition === move.partition);
    const now = current.find((c) => c.topic === move.topic && c.partition === move.partition)?.replicas ?? [];
    // Not moving and not at the target: nothing is in progress, the plan was never run or was cancelled.
    const status = moving ? 'in progress' : sameList(now, move.replicas) ? 'completed' : 'not started';
    return { topic: move.topic, partition: move.partition, status, target: move.replicas, replicas: now };
  });
  const complete = rows.every((row) => row.status === 'completed');
  if (complete) {
    const metadata = await admin.metadata({ topics: [] });
    await setThrottle(admin, [...metadata.brokers.keys()].sort((a, b) => a - b), null);
  }
  if (output === 'json') process.stdout.write(JSON.stringify({ complete, throttleRemoved: complete, partitions: rows }) + '\n');
  else {
    printRows(rows, output, ['topic', 'partition', 'status', 'target', 'replicas']);
    process.stdout.write(complete ? 'All reassignments completed; the throttle was removed.\n' : 'Reassignment still in progress: run --verify again later (exit code 1 until every partition is completed).\n');
  }
  const stray = rows.filter((row) => row.status === 'not started');
  if (stray.length > 0) process.stderr.write(`tributary: no reassignment is running for ${stray.map((r) => `${r.topic}-${r.partition}`).join(', ')} and their replicas differ from the plan: run --execute with this plan\n`);
  return complete ? 0 : 1;
}
