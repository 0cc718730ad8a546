import { readFileSync } from 'node:fs';
import { UsageError } from '../command.ts';

/** One partition's replica list, as kafka-reassign-partitions.sh writes and reads it. */
export interface PartitionMove {
  topic: string;
  partition: number;
  replicas: number[];
}

export interface ReassignmentPlan {
  version: 1;
  partitions: PartitionMove[];
}

export interface PlacementBroker {
  brokerId: number;
  rack: string | null;
}

type AssignReplicas = (brokers: PlacementBroker[], numPartitions: number, replicationFactor: number, options: { startIndex?: number; shift?: number }) => number[][];

function readJson(path: string, flag: string, shape: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${flag} '${path}' (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give a readable file`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} '${path}' is not JSON (${(error as Error).message}); expected ${shape}`);
  }
}

const TOPICS_SHAPE = '{"version":1,"topics":[{"topic":"name"}]}';
const PLAN_SHAPE = '{"version":1,"partitions":[{"topic":"name","partition":0,"replicas":[1,2]}]}';

/** --topics-to-move-json-file: the topic names, in file order, without repeats. */
export function readTopicsToMove(path: string): string[] {
  const data = readJson(path, '--topics-to-move-json-file', TOPICS_SHAPE) as { topics?: unknown };
  if (!Array.isArray(data?.topics) || data.topics.length === 0) throw new UsageError(`--topics-to-move-json-file '${path}' needs a non-empty "topics" list: ${TOPICS_SHAPE}`);
  const names = data.topics.map((entry: { topic?: unknown }) => {
    if (typeof entry?.topic !== 'string' || entry.topic === '') throw new UsageError(`every entry of "topics" in '${path}' needs a "topic" name: ${TOPICS_SHAPE}`);
    return entry.topic;
  });
  return [...new Set(names)];
}

/** --reassignment-json-file: validated so a typo is a usage error (exit 2), not a broker error. */
export function readPlan(path: string): ReassignmentPlan {
  const data = readJson(path, '--reassignment-json-file', PLAN_SHAPE) as { partitions?: unknown };
  if (!Array.isArray(data?.partitions) || data.partitions.length === 0) throw new UsageError(`--reassignment-json-file '${path}' needs a non-empty "partitions" list: ${PLAN_SHAPE}`);
  const seen = new Set<string>();
  const partitions = data.partitions.map((entry: Record<string, unknown>, i: number) => {
    const { topic, partition, replicas } = entry ?? {};
    const where = `entry ${i} of "partitions" in '${path}'`;
    if (typeof topic !== 'string' || topic === '') throw new UsageError(`${where} needs a "topic" name`);
    if (!Number.isInteger(partition) || (partition as number) < 0) throw new UsageError(`${where} needs a "partition" number of at least 0`);
    if (!Array.isArray(replicas) || replicas.length === 0 || !replicas.every((id) => Number.isInteger(id) && id >= 0)) throw new UsageError(`${where} needs "replicas", a non-empty list of broker ids`);
    if (new Set(replicas).size !== replicas.length) throw new UsageError(`${where} lists a broker twice in "replicas": ${JSON.stringify(replicas)}`);
    const key = `${topic}-${partition}`;
    if (seen.has(key)) throw new UsageError(`${key} appears twice in '${path}': give each partition once`);
    seen.add(key);
    return { topic, partition: partition as number, replicas: replicas as number[] };
  });
  return { version: 1, partitions };
}

/** --broker-list "1,2,3": distinct broker ids. */
export function parseBrokerList(value: string): number[] {
  const ids = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (ids.length === 0 || !ids.every((id) => /^\d+$/.test(id))) throw new UsageError(`--broker-list must be broker ids separated by commas (e.g. "1,2,3,4"), got '${value}'`);
  const numbers = ids.map(Number);
  if (new Set(numbers).size !== numbers.length) throw new UsageError(`--broker-list names a broker twice: '${value}'`);
  return numbers;
}

/**
 * The proposed assignment for --generate: Kafka's placement (preferred leaders round-robin,
 * followers shifted) over the listed brokers, each topic starting where the previous one ended so
 * leaders of several topics spread too. Deterministic, unlike Kafka's random start, so a plan can be
 * regenerated and reviewed.
 */
export function proposeAssignment(
  current: PartitionMove[],
  brokers: PlacementBroker[],
  assignReplicas: AssignReplicas,
): PartitionMove[] {
  const byTopic = new Map<string, PartitionMove[]>();
  for (const move of current) byTopic.set(move.topic, [...(byTopic.get(move.topic) ?? []), move]);
  const proposed: PartitionMove[] = [];
  let start = 0;
  for (const [topic, partitions] of byTopic) {
    const replicationFactor = Math.max(...partitions.map((p) => p.replicas.length));
    if (replicationFactor > brokers.length) {
      throw new UsageError(`topic '${topic}' has replication factor ${replicationFactor} but --broker-list names ${brokers.length} brokers: list at least ${replicationFactor}`);
    }
    const lists = assignReplicas(brokers, partitions.length, replicationFactor, { startIndex: start % brokers.length, shift: 0 });
    partitions.forEach((p, i) => proposed.push({ topic, partition: p.partition, replicas: lists[i]! }));
    start += partitions.length;
  }
  return proposed;
}

export function planJson(partitions: PartitionMove[]): string {
  const plan: ReassignmentPlan = { version: 1, partitions: [...partitions].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition) };
  return JSON.stringify(plan);
}
