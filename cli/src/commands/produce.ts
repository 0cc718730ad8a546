import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { COMPRESSIONS, createProducer, withBrokerHint, type Compression } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { clientOptions } from '../client-options.ts';
import { keyValueFlags, requireTopic } from './flag-values.ts';

/** Lines sent per request: large enough to batch well, small enough to bound memory. */
const BATCH = 500;

/** `tributary produce --topic T`: one record per stdin line, like kafka-console-producer. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...clientOptions,
      topic: { type: 'string' },
      'key-separator': { type: 'string' },
      header: { type: 'string', multiple: true },
      acks: { type: 'string', default: 'all' },
      compression: { type: 'string', default: 'none' },
    },
    strict: true,
  });
  const topic = requireTopic(values.topic);
  const acks = values.acks === 'all' || values.acks === '-1' ? 'all' : values.acks === '1' ? 1 : values.acks === '0' ? 0 : null;
  if (acks === null) throw new UsageError(`--acks must be all, 1 or 0, got '${values.acks}'`);
  const compression = values.compression as Compression;
  if (!COMPRESSIONS.includes(compression)) throw new UsageError(`--compression must be ${COMPRESSIONS.join(', ')}, got '${values.compression}'`);
  const headers = Object.fromEntries(keyValueFlags('header', values.header).map(({ name, value }) => [name, value]));
  const separator = values['key-separator'];
  if (separator === '') throw new UsageError('--key-separator must not be empty');
  const bootstrap = values['bootstrap-server'];
  // Idempotence comes with acks=all (the default); acks 1 or 0 trade safety for latency.
  const producer = createProducer({ bootstrapServers: bootstrap, clientId: 'tributary-console-producer', acks, compression, retries: 3 });
  let pending: Array<{ topic: string; key?: string; value: string; headers: Record<string, string> }> = [];
  let count = 0;
  const partitions = new Set<number>();
  const flush = async () => {
    if (pending.length === 0) return;
    const result = await producer.send({ messages: pending });
    for (const offset of result.offsets ?? []) partitions.add(offset.partition);
    count += pending.length;
    pending = [];
  };
  try {
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      if (line.length === 0) continue;
      if (separator !== undefined) {
        const at = line.indexOf(separator);
        if (at < 0) throw new Error(`line ${count + pending.length + 1} has no key separator '${separator}': put KEY${separator}VALUE on every line or drop --key-separator`);
        pending.push({ topic, key: line.slice(0, at), value: line.slice(at + separator.length), headers });
      } else pending.push({ topic, value: line, headers });
      if (pending.length >= BATCH) await flush();
    }
    await flush();
  } catch (error) {
    throw withBrokerHint(error, bootstrap);
  } finally {
    await producer.close();
  }
  process.stderr.write(`produced ${count} records to ${topic} (partitions ${[...partitions].sort((a, b) => a - b).join(',') || '-'})\n`);
  return 0;
}
