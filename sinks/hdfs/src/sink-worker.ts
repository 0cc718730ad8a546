import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '@tributary/common';
import { createConsumer } from '@tributary/common/kafka';
import type { SinkConfig } from './config.ts';
import { DeadLetters } from './dead-letters.ts';
import { createSinkMetrics, type SinkMetrics } from './metrics.ts';
import type { SinkFileSystem } from './fs/file-system.ts';
import { openFileSystem } from './fs/open-file-system.ts';
import { TimePartitioner } from './layout/time-partitioner.ts';
import type { RowMapper, SinkRecord } from './schema/row-mapper.ts';
import { setKafkaPosition } from './schema/table-schema.ts';
import { loadDeclaredSchemas, TopicSchemas } from './schema/topic-schemas.ts';
import { asTimestamp, compilePath, RowError, valueAt } from './schema/values.ts';
import { landedEndOffsets, recoverTempDir } from './writer/recovery.ts';
import { TopicPartitionWriter } from './writer/topic-partition-writer.ts';

type Consumer = ReturnType<typeof createConsumer>;
type Message = { topic: string; partition: number; offset: bigint; timestamp: bigint; key: string | undefined; value: string | undefined; metadata: { consumer: { generationId: number } }; commit(): Promise<void> | void };

export interface SinkStats {
  recordsLanded: number;
  filesCommitted: number;
  deadLettered: number;
  skipped: number;
}

export interface SinkWorker {
  readonly stats: SinkStats;
  readonly metrics: SinkMetrics;
  /** Resolves when the worker stops: after close(), or with the error that stopped it. */
  readonly done: Promise<void>;
  /** Commits what is written, commits its offsets, and leaves the group. */
  close(): Promise<void>;
}

/**
 * One sink worker: a member of the sink's consumer group landing its partitions. Every step
 * (write a record, commit a partition's files, give partitions up) runs on one chain, so a commit
 * never races a write. Ownership changes are read from the group generation: records fetched
 * under an older generation are dropped and all open files are given up, because after a
 * rebalance the client fetches again from the committed offsets.
 */
export async function startSinkWorker(config: SinkConfig, deps: { log?: Logger; fs?: SinkFileSystem } = {}): Promise<SinkWorker> {
  if (config.topics.length === 0) throw new Error('the sink needs at least one topic: --topics T1,T2');
  const log = deps.log ?? createLogger('sink');
  const fs = deps.fs ?? openFileSystem(config.root);
  const schemas = new TopicSchemas(loadDeclaredSchemas(config.schemasFile));
  const partitioner = new TimePartitioner(config.timezone);
  const timestampPath = config.timestampField ? compilePath(config.timestampField) : null;
  const stagingDir = config.stagingDir ?? mkdtempSync(join(tmpdir(), 'tributary-sink-'));
  mkdirSync(stagingDir, { recursive: true });
  const deadLetters = new DeadLetters(config.bootstrapServers, config.dlqSuffix);
  const writers = new Map<string, TopicPartitionWriter>();
  /** The last message handled per writer: committing its offset commits the writer's records. */
  const lastMessage = new Map<TopicPartitionWriter, Message>();
  /** The writer of the previous message: a fetch delivers each partition's records in a run. */
  let current: TopicPartitionWriter | undefined;
  const stats: SinkStats = { recordsLanded: 0, filesCommitted: 0, deadLettered: 0, skipped: 0 };
  const metrics = createSinkMetrics();
  let generation: number | null = null;
  let rebalancing = false;
  let chain: Promise<void> = Promise.resolve();
  let closing = false;

  const consumer: Consumer = createConsumer({
    bootstrapServers: config.bootstrapServers,
    clientId: 'tributary-sink',
    groupId: config.groupId,
    groupInstanceId: config.groupInstanceId,
    sessionTimeoutMs: config.sessionTimeoutMs,
  });

  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const run = chain.then(step);
    chain = run.then(() => undefined, () => undefined);
    return run;
  };

  const giveUpAll = async (why: string) => {
    if (writers.size === 0) return;
    log.info({ partitions: writers.size, why }, 'giving up uncommitted files; their records will be consumed again');
    for (const writer of writers.values()) await writer.abort();
    writers.clear();
    lastMessage.clear();
    current = undefined;
  };

  consumer.on('consumer:group:rebalance', () => {
    rebalancing = true;
    void serial(() => giveUpAll('rebalance'));
  });
  consumer.on('consumer:group:join', (event: { generationId?: number }) => {
    rebalancing = false;
    if (event.generationId !== undefined && event.generationId !== generation) {
      generation = event.generationId;
      void serial(() => giveUpAll('new group generation'));
    }
  });

  const landedCache = new Map<string, Promise<Map<number, bigint>>>();
  const claim = async (topic: string, partition: number): Promise<void> => {
    await recoverTempDir(fs, topic, partition, log);
    // One walk of a topic's directories serves all its partitions claimed in the same generation.
    const cacheKey = `${generation}|${topic}`;
    if (!landedCache.has(cacheKey)) landedCache.set(cacheKey, landedEndOffsets(fs, topic));
    const end = (await landedCache.get(cacheKey)!).get(partition);
    const writer = new TopicPartitionWriter(topic, partition, end === undefined ? -1n : end + 1n, fs, config, stagingDir, log);
    writers.set(`${topic}:${partition}`, writer);
    log.info({ topic, partition, landedUpTo: writer.landedUpTo.toString() }, 'claimed partition');
  };

  const commitWriter = async (writer: TopicPartitionWriter) => {
    const unit = await writer.commit();
    if (!unit) return;
    stats.filesCommitted += unit.files.length;
    metrics.files.inc({ topic: writer.topic }, unit.files.length);
    const message = lastMessage.get(writer);
    lastMessage.delete(writer);
    // The files are in place: a failed offset commit only means records are read again and skipped.
    try {
      await message?.commit();
    } catch (error) {
      log.warn({ err: error, topic: writer.topic, partition: writer.partition }, 'offset commit failed after the files landed; the file names keep the position');
    }
  };

  /** Records landed since the last handled batch, by topic: the counter is updated once per batch. */
  let landedSinceBatch: Record<string, number> = {};
  const landed = (record: SinkRecord) => {
    stats.recordsLanded++;
    landedSinceBatch[record.topic] = (landedSinceBatch[record.topic] ?? 0) + 1;
  };
  const countLanded = () => {
    for (const topic in landedSinceBatch) metrics.landed.inc({ topic }, landedSinceBatch[topic]);
    landedSinceBatch = {};
  };

  /** Per mapper, the column that already holds the event time, or null: the field is converted once. */
  const eventTimeColumns = new WeakMap<RowMapper, number | null>();
  const eventTimeColumn = (mapper: RowMapper): number | null => {
    let column = eventTimeColumns.get(mapper);
    if (column === undefined) {
      column = config.timestampField === null ? null : (mapper.timestampColumn?.(config.timestampField) ?? null);
      eventTimeColumns.set(mapper, column);
    }
    return column;
  };

  /** Maps and writes a record; a promise only when it has to wait (a file to open or commit, a row group to write). */
  const land = (writer: TopicPartitionWriter, record: SinkRecord): Promise<void> | undefined => {
    const mapper = schemas.mapperFor(record.topic);
    const mapped = mapper.map(record);
    if (mapped === null) {
      writer.skip(record.offset);
      return undefined;
    }
    const column = eventTimeColumn(mapper);
    const eventTime = column !== null ? (mapped.values[column] as number | null) : timestampPath && mapped.object ? asTimestamp(valueAt(mapped.object, timestampPath), config.timestampField!) : null;
    const timeDir = partitioner.directory(eventTime ?? Number(record.timestamp));
    setKafkaPosition(mapped.values, record.partition, record.offset, record.timestamp);
    const bytes = (record.value?.length ?? 0) + (record.key?.length ?? 0);
    if (writer.wouldOpenTooMany(timeDir, mapped.schema)) {
      return commitWriter(writer).then(() => writer.write(record.offset, timeDir, mapped.schema, mapped.values, bytes)).then(() => landed(record));
    }
    const pending = writer.write(record.offset, timeDir, mapped.schema, mapped.values, bytes);
    if (pending) return pending.then(() => landed(record));
    landed(record);
    return undefined;
  };

  const deadLetter = async (writer: TopicPartitionWriter, record: SinkRecord, error: unknown) => {
    // A row is checked completely before it is buffered, so a refused row leaves the file intact.
    const refused = error instanceof RowError || /^(invalid value for|missing required field)/.test((error as Error).message);
    if (!refused) throw error;
    await deadLetters.send(record, (error as Error).message);
    stats.deadLettered++;
    metrics.deadLetters.inc({ topic: record.topic });
    writer.skip(record.offset);
  };

  const commitIfDue = (writer: TopicPartitionWriter) => (writer.shouldCommit(Date.now()) ? commitWriter(writer) : undefined);

  /** A message is a SinkRecord as it is; a promise only when handling it has to wait. */
  const handle = (message: Message): Promise<void> | undefined => {
    if (rebalancing || message.metadata.consumer.generationId !== consumer.generationId) return undefined;
    if (generation === null) generation = consumer.generationId ?? null;
    if (current?.partition !== message.partition || current.topic !== message.topic) current = writers.get(`${message.topic}:${message.partition}`);
    const writer = current;
    if (!writer) return claim(message.topic, message.partition).then(() => handle(message));
    if (message.offset < writer.landedUpTo) {
      stats.skipped++;
      return undefined;
    }
    lastMessage.set(writer, message);
    let pending: Promise<void> | undefined;
    try {
      pending = land(writer, message);
    } catch (error) {
      return deadLetter(writer, message, error).then(() => commitIfDue(writer));
    }
    if (pending) return pending.catch((error: unknown) => deadLetter(writer, message, error)).then(() => commitIfDue(writer));
    return commitIfDue(writer);
  };

  /** The messages one read of the stream found buffered, handled as one step of the chain. */
  const handleBatch = async (batch: Message[]) => {
    try {
      for (const message of batch) {
        const pending = handle(message);
        if (pending) await pending;
      }
    } finally {
      countLanded();
    }
  };

  const commitDue = async () => {
    const now = Date.now();
    for (const writer of writers.values()) if (writer.shouldCommit(now)) await commitWriter(writer);
  };

  // A deeper read-ahead than the client's default (1024) keeps a fetch in flight while rows are written.
  const stream = await consumer.consume({ topics: config.topics, mode: 'committed', fallbackMode: 'earliest', highWaterMark: 16_384 });
  const tickMs = config.rotateIntervalMs > 0 ? Math.max(50, Math.min(1000, Math.floor(config.rotateIntervalMs / 4))) : 1000;
  const ticker = setInterval(() => void serial(commitDue).catch((error: unknown) => stream.destroy(error as Error)), tickMs);
  log.info({ topics: config.topics, root: fs.description, groupId: config.groupId }, 'sink worker started');

  const done = (async () => {
    try {
      for await (const first of stream as AsyncIterable<Message>) {
        if (closing) break;
        const batch = [first];
        for (let next: Message | null = stream.read(); next !== null; next = stream.read()) batch.push(next);
        await serial(() => handleBatch(batch));
      }
    } catch (error) {
      log.error({ err: error }, 'sink worker stopped by an error; a restart resumes from the landed files');
      throw error;
    } finally {
      clearInterval(ticker);
    }
  })();
  // Callers learn of the error through done or close(); it must not also surface as unhandled.
  done.catch(() => undefined);

  return {
    stats,
    metrics,
    done,
    async close() {
      closing = true;
      clearInterval(ticker);
      await serial(async () => {
        for (const writer of writers.values()) await commitWriter(writer);
        writers.clear();
        current = undefined;
      });
      await stream.close();
      await done.catch(() => undefined);
      await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
      await deadLetters.close();
      await fs.close();
      log.info(stats, 'sink worker stopped');
    },
  };
}
