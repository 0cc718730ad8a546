import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Connection } from '@platformatic/kafka';
import type { createAdmin } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { securedClientOptions } from '../client-options.ts';
import { kafkaErrorName } from '../kafka-errors.ts';
import { printRows } from '../output.ts';
import { integerFlag } from './flag-values.ts';
import { withSecuredAdmin } from '../secured-admin.ts';
import { ELECTION_TYPES, electLeaders, type ElectionResult } from './leader-election-protocol.ts';

const NOT_CONTROLLER = 41;
const ELECTION_NOT_NEEDED = 84;

type Partitions = Array<{ topic: string; partitions: number[] }> | null;

/**
 * `tributary leader-election`: kafka-leader-election for Tributary. Sends ElectLeaders to the
 * controller and reports each partition; exits 1 when any partition could not be elected
 * (a partition whose leader is already the right one is not a failure).
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...securedClientOptions,
      'election-type': { type: 'string' },
      topic: { type: 'string' },
      partition: { type: 'string' },
      'all-topic-partitions': { type: 'boolean' },
      'path-to-json-file': { type: 'string' },
    },
    strict: true,
  });
  const type = (values['election-type'] ?? '').toUpperCase() as keyof typeof ELECTION_TYPES;
  if (!(type in ELECTION_TYPES)) throw new UsageError('--election-type must be preferred or unclean');
  const partitions = partitionsFrom(values);
  return withSecuredAdmin(values, async (admin, output) => {
    const results = await electAtController(admin, ELECTION_TYPES[type], partitions);
    const name = (r: ElectionResult) => `${r.topic}-${r.partition}`;
    if (output === 'json') {
      printRows(results.map((r) => ({ topic: r.topic, partition: r.partition, error: r.errorCode === 0 ? null : kafkaErrorName(r.errorCode), message: r.errorMessage })), 'json');
    } else {
      const elected = results.filter((r) => r.errorCode === 0);
      const already = results.filter((r) => r.errorCode === ELECTION_NOT_NEEDED);
      if (elected.length > 0) process.stdout.write(`Successfully completed leader election (${type}) for partitions ${elected.map(name).join(', ')}\n`);
      if (already.length > 0) process.stdout.write(`Valid replica already elected for partitions ${already.map(name).join(', ')}\n`);
      for (const r of results.filter((r) => r.errorCode !== 0 && r.errorCode !== ELECTION_NOT_NEEDED)) {
        process.stdout.write(`Error completing leader election (${type}) for partition ${name(r)}: ${kafkaErrorName(r.errorCode)}: ${r.errorMessage ?? ''}\n`);
      }
    }
    return results.some((r) => r.errorCode !== 0 && r.errorCode !== ELECTION_NOT_NEEDED) ? 1 : 0;
  });
}

function partitionsFrom(values: { topic?: string; partition?: string; 'all-topic-partitions'?: boolean; 'path-to-json-file'?: string }): Partitions {
  const given = [values.topic !== undefined, values['all-topic-partitions'] === true, values['path-to-json-file'] !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of --topic T --partition P, --all-topic-partitions or --path-to-json-file FILE');
  if (values['all-topic-partitions']) return null;
  if (values.topic !== undefined) {
    const partition = integerFlag('partition', values.partition, 0);
    if (partition === undefined) throw new UsageError('--partition is required with --topic');
    return [{ topic: values.topic, partitions: [partition] }];
  }
  const file = values['path-to-json-file']!;
  let plan: { partitions?: Array<{ topic?: unknown; partition?: unknown }> };
  try {
    plan = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}; it holds {"partitions": [{"topic": "t", "partition": 0}]}`);
  }
  const byTopic = new Map<string, number[]>();
  for (const entry of plan.partitions ?? []) {
    if (typeof entry.topic !== 'string' || !Number.isInteger(entry.partition)) throw new UsageError(`${file}: each entry of "partitions" needs a string "topic" and an integer "partition"`);
    byTopic.set(entry.topic, [...(byTopic.get(entry.topic) ?? []), entry.partition as number]);
  }
  if (byTopic.size === 0) throw new UsageError(`${file} lists no partitions; it holds {"partitions": [{"topic": "t", "partition": 0}]}`);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}

/** The controller may move while we ask: NOT_CONTROLLER sends the request to the new one. */
async function electAtController(admin: ReturnType<typeof createAdmin>, type: number, partitions: Partitions): Promise<ElectionResult[]> {
  for (let attempt = 1; ; attempt++) {
    const { controllerId } = await admin.metadata({ topics: [], forceUpdate: true });
    const connection = ((await admin.connectToBrokers([controllerId])) as Map<number, Connection>).get(controllerId);
    if (!connection) throw new Error(`cannot reach the controller (broker ${controllerId}); check 'tributary cluster describe'`);
    const response = await electLeaders.async(connection, type, partitions, 60_000);
    if (response.errorCode !== NOT_CONTROLLER || attempt === 5) {
      if (response.errorCode !== 0 && response.results.length === 0) throw new Error(`leader election refused: ${kafkaErrorName(response.errorCode)}`);
      return response.results;
    }
  }
}
