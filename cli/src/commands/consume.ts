import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createAdmin, createConsumer } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { clientOptions } from '../client-options.ts';

/**
 * `tributary consume --topic T`: prints records like kafka-console-consumer. Without --group it
 * uses a throw-away group and commits nothing.
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...clientOptions,
      topic: { type: 'string' },
      'from-beginning': { type: 'boolean', default: false },
      offset: { type: 'string' },
      'from-time': { type: 'string' },
      partition: { type: 'string' },
      'max-messages': { type: 'string' },
      group: { type: 'string' },
      output: { type: 'string', default: 'text' },
      'print-key': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const topic = values.topic as string | undefined;
  if (!topic) throw new UsageError('--topic is required');
  const output = values.output as string;
  if (output !== 'text' && output !== 'json') throw new UsageError(`--output must be text or json, got '${output}'`);
  const starts = [values['from-beginning'], values.offset !== undefined, values['from-time'] !== undefined].filter(Boolean).length;
  if (starts > 1) throw new UsageError('give only one of --from-beginning, --offset and --from-time');
  const partitionFilter = values.partition !== undefined ? Number(values.partition) : null;
  if (values.offset !== undefined && partitionFilter === null) throw new UsageError('--offset needs --partition');
  const maxMessages = values['max-messages'] !== undefined ? Number(values['max-messages']) : Infinity;
  const bootstrap = values['bootstrap-server'] as string;

  let mode: 'earliest' | 'latest' | 'committed' | 'manual' = values.group ? 'committed' : 'latest';
  let offsets: Array<{ topic: string; partition: number; offset: bigint }> | undefined;
  if (values['from-beginning']) mode = 'earliest';
  if (values.offset !== undefined) {
    mode = 'manual';
    offsets = [{ topic, partition: partitionFilter!, offset: BigInt(values.offset as string) }];
  }
  if (values['from-time'] !== undefined) {
    const time = Date.parse(values['from-time'] as string);
    if (Number.isNaN(time)) throw new UsageError(`--from-time must be an ISO 8601 time, got '${values['from-time']}'`);
    const admin = createAdmin({ bootstrapServers: bootstrap, clientId: 'tributary-console-consumer' });
    try {
      const metadata = await admin.metadata({ topics: [topic] });
      const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
      const listed = await admin.listOffsets({ topics: [{ name: topic, partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp: BigInt(time) })) }] } as never);
      mode = 'manual';
      offsets = listed.flatMap((t) => t.partitions.map((p) => ({ topic, partition: p.partitionIndex, offset: p.offset })));
    } finally {
      await admin.close();
    }
  }

  const consumer = createConsumer({ bootstrapServers: bootstrap, clientId: 'tributary-console-consumer', groupId: (values.group as string | undefined) ?? `tributary-console-${randomUUID()}` });
  const stream = await consumer.consume({ topics: [topic], mode, fallbackMode: 'earliest', ...(offsets ? { offsets } : {}), autocommit: values.group !== undefined });
  let printed = 0;
  const stop = async () => {
    await stream.close().catch(() => undefined);
    await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  try {
    for await (const message of stream) {
      if (partitionFilter !== null && message.partition !== partitionFilter) continue;
      if (output === 'json') {
        const headers: Record<string, string> = {};
        for (const [key, value] of message.headers) headers[String(key)] = String(value);
        process.stdout.write(JSON.stringify({ topic: message.topic, partition: message.partition, offset: Number(message.offset), timestamp: Number(message.timestamp), key: message.key ?? null, value: message.value ?? null, headers }) + '\n');
      } else {
        process.stdout.write(values['print-key'] ? `${message.key ?? ''}\t${message.value ?? ''}\n` : `${message.value ?? ''}\n`);
      }
      if (++printed >= maxMessages) break;
    }
  } finally {
    await stop();
  }
  return 0;
}
