import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createProducer } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { clientOptions } from '../client-options.ts';

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
  const topic = values.topic as string | undefined;
  if (!topic) throw new UsageError('--topic is required');
  const acks = values.acks === 'all' || values.acks === '-1' ? 'all' : values.acks === '1' ? 1 : values.acks === '0' ? 0 : null;
  if (acks === null) throw new UsageError(`--acks must be all, 1 or 0, got '${values.acks}'`);
  const compression = values.compression as string;
  if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(compression)) throw new UsageError(`--compression must be none, gzip, snappy, lz4 or zstd, got '${compression}'`);
  const headers: Record<string, string> = {};
  for (const header of (values.header as string[] | undefined) ?? []) {
    const at = header.indexOf('=');
    if (at <= 0) throw new UsageError(`--header takes key=value, got '${header}'`);
    headers[header.slice(0, at)] = header.slice(at + 1);
  }
  const separator = values['key-separator'] as string | undefined;
  const producer = createProducer({
    bootstrapServers: values['bootstrap-server'] as string,
    clientId: 'tributary-console-producer',
    acks,
    idempotent: acks === 'all',
    compression: compression as 'none',
  });
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
    for await (const line of createInterface({ input: process.stdin })) {
      if (line.length === 0) continue;
      if (separator !== undefined) {
        const at = line.indexOf(separator);
        if (at < 0) throw new Error(`line ${count + pending.length + 1} has no key separator '${separator}'`);
        pending.push({ topic, key: line.slice(0, at), value: line.slice(at + separator.length), headers });
      } else pending.push({ topic, value: line, headers });
      if (pending.length >= BATCH) await flush();
    }
    await flush();
  } finally {
    await producer.close();
  }
  process.stderr.write(`produced ${count} records to ${topic} (partitions ${[...partitions].sort((a, b) => a - b).join(',') || '-'})\n`);
  return 0;
}
