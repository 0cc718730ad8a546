import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createAdmin, createConsumer, ListOffsetTimestamps, withBrokerHint } from '@tributary/common/kafka';
import { UsageError } from '../command.ts';
import { clientOptions } from '../client-options.ts';
import { onShutdownSignal } from '../signals.ts';
import { integerFlag, outputFlag, requireTopic } from './flag-values.ts';

type StartOffsets = Array<{ topic: string; partition: number; offset: bigint }>;

/**
 * Partition count of the topic, and for --from-time the first offset at or after the time in each
 * partition (the log end where nothing is that new, as Kafka's ListOffsets answers -1 there).
 */
async function inspectTopic(bootstrap: string, topic: string, fromTime: number | undefined): Promise<{ partitions: number; offsets?: StartOffsets }> {
  const admin = createAdmin({ bootstrapServers: bootstrap, clientId: 'tributary-console-consumer' });
  try {
    if (!(await admin.listTopics({ includeInternals: true })).includes(topic)) {
      throw new Error(`topic '${topic}' does not exist: see 'tributary topics list' or create it with 'tributary topics create --topic ${topic}'`);
    }
    const partitions = (await admin.metadata({ topics: [topic] })).topics.get(topic)?.partitionsCount ?? 0;
    if (fromTime === undefined) return { partitions };
    const list = async (timestamp: bigint) => {
      const listed = await admin.listOffsets({ topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp })) }] });
      return new Map(listed.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.offset] as const)));
    };
    const byTime = await list(BigInt(fromTime));
    const ends = await list(ListOffsetTimestamps.LATEST);
    const offsets = Array.from({ length: partitions }, (_, partition) => {
      const offset = byTime.get(partition) ?? -1n;
      return { topic, partition, offset: offset >= 0n ? offset : (ends.get(partition) ?? 0n) };
    });
    return { partitions, offsets };
  } finally {
    await admin.close();
  }
}

/**
 * `tributary consume --topic T`: prints records like kafka-console-consumer. Without --group it
 * uses a throw-away group and commits nothing; with --group it commits what it printed.
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
  const topic = requireTopic(values.topic);
  const output = outputFlag(values.output, ['text', 'json']);
  const starts = [values['from-beginning'], values.offset !== undefined, values['from-time'] !== undefined].filter(Boolean).length;
  if (starts > 1) throw new UsageError('give only one of --from-beginning, --offset and --from-time');
  const partition = integerFlag('partition', values.partition, 0);
  const offset = integerFlag('offset', values.offset, 0);
  const maxMessages = integerFlag('max-messages', values['max-messages'], 1) ?? Infinity;
  if (offset !== undefined && partition === undefined) throw new UsageError('--offset needs --partition');
  // As Kafka's console consumer: a group owns its partitions, so one cannot also be picked by hand.
  if (values.group !== undefined && (partition !== undefined || values['from-time'] !== undefined)) {
    throw new UsageError('--group cannot be combined with --partition, --offset or --from-time; drop --group to read a chosen position');
  }
  let fromTime: number | undefined;
  if (values['from-time'] !== undefined) {
    fromTime = Date.parse(values['from-time']);
    if (Number.isNaN(fromTime)) throw new UsageError(`--from-time must be an ISO 8601 time (e.g. 2026-11-25T00:00:00Z), got '${values['from-time']}'`);
  }
  const bootstrap = values['bootstrap-server'];

  let consumer: ReturnType<typeof createConsumer> | undefined;
  try {
    const inspected = await inspectTopic(bootstrap, topic, fromTime);
    if (partition !== undefined && partition >= inspected.partitions) {
      throw new UsageError(`--partition ${partition} does not exist: topic '${topic}' has partitions 0 to ${inspected.partitions - 1}`);
    }
    let offsets = inspected.offsets;
    if (offset !== undefined) offsets = [{ topic, partition: partition!, offset: BigInt(offset) }];
    const fromBeginning = values['from-beginning'];
    const mode = offsets ? 'manual' : values.group !== undefined ? 'committed' : fromBeginning ? 'earliest' : 'latest';
    consumer = createConsumer({ bootstrapServers: bootstrap, clientId: 'tributary-console-consumer', groupId: values.group ?? `tributary-console-${randomUUID()}` });
    const stream = await consumer.consume({ topics: [topic], mode, fallbackMode: fromBeginning ? 'earliest' : 'latest', ...(offsets ? { offsets } : {}) });
    void onShutdownSignal(async () => {
      await stream.close();
    });
    const lastPrinted = new Map<number, () => unknown>();
    let printed = 0;
    try {
      for await (const message of stream) {
        if (partition !== undefined && message.partition !== partition) continue;
        if (output === 'json') {
          const headers: Record<string, string> = {};
          for (const [key, value] of message.headers) headers[String(key)] = String(value);
          process.stdout.write(JSON.stringify({ topic: message.topic, partition: message.partition, offset: Number(message.offset), timestamp: Number(message.timestamp), key: message.key ?? null, value: message.value ?? null, headers }) + '\n');
        } else {
          process.stdout.write(values['print-key'] ? `${message.key ?? ''}\t${message.value ?? ''}\n` : `${message.value ?? ''}\n`);
        }
        lastPrinted.set(message.partition, () => message.commit());
        if (++printed >= maxMessages) break;
      }
      // Only what was printed: platformatic's autocommit would also commit fetched, unprinted records.
      if (values.group !== undefined) for (const commit of lastPrinted.values()) await commit();
    } finally {
      await stream.close();
    }
  } catch (error) {
    throw withBrokerHint(error, bootstrap);
  } finally {
    if (consumer) {
      const closing = consumer;
      await new Promise<void>((resolve) => closing.close(true, () => resolve()));
    }
  }
  return 0;
}
