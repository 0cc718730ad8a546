import assert from 'node:assert/strict';
import { join } from 'node:path';
import parquet from '@dsnp/parquetjs';
import { createAdmin } from '@tributary/common/kafka';
import { kcat, waitFor } from '@tributary/testkit';
import { writeTrackingEventFile } from './tracking-events.ts';
import { committedFiles, landedEndOffsets, queryLanded, type SinkFileSystem } from '../../src/index.ts';

const { ParquetReader } = parquet;

/**
 * Creates a topic and produces generated tracking events into it through librdkafka (kcat),
 * keyed by anonymous id; returns the partitions' end offsets.
 */
export async function produceTrackingEvents(bootstrap: string, dir: string, topic: string, options: { events: number; hours: number; partitions: number }): Promise<Map<number, bigint>> {
  const admin = createAdmin({ bootstrapServers: bootstrap, clientId: 'test' });
  await admin.createTopics({ topics: [topic], partitions: options.partitions, replicas: 1 });
  await admin.close();
  const input = join(dir, `${topic}.tsv`);
  await writeTrackingEventFile(input, options.events, options.hours);
  const produced = await kcat(['-b', bootstrap, '-P', '-t', topic, '-K', '\t', '-l', '-X', 'acks=all', '-X', 'linger.ms=20', input], { timeoutMs: 600_000 });
  assert.equal(produced.code, 0, produced.stderr);
  const ends = await endOffsets(bootstrap, topic, options.partitions);
  assert.equal([...ends.values()].reduce((a, b) => a + b, 0n), BigInt(options.events), 'every event was produced');
  return ends;
}

/** Log end offsets of a topic's partitions, through librdkafka (kcat -Q with time -1 = latest). */
export async function endOffsets(bootstrap: string, topic: string, partitions: number): Promise<Map<number, bigint>> {
  const args = ['-b', bootstrap, '-Q'];
  for (let p = 0; p < partitions; p++) args.push('-t', `${topic}:${p}:-1`);
  const result = await kcat(args, { timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  const ends = new Map<number, bigint>();
  for (const match of result.stdout.matchAll(/\[(\d+)\]\s+offset\s+(-?\d+)/g)) ends.set(Number(match[1]), BigInt(match[2]!));
  return ends;
}

/** Waits until every partition's records up to its end offset are in committed files. */
export async function waitUntilLanded(fs: SinkFileSystem, topic: string, ends: Map<number, bigint>, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const landed = await landedEndOffsets(fs, topic);
      return [...ends].every(([partition, end]) => end === 0n || landed.get(partition) === end - 1n);
    },
    { what: `${topic} landed up to ${[...ends].map(([p, e]) => `${p}:${e}`).join(' ')}`, timeoutMs, intervalMs: 250 },
  );
}

/** A group's committed offsets for a topic's partitions (-1 where nothing is committed). */
export async function committedOffsets(bootstrap: string, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const admin = createAdmin({ bootstrapServers: bootstrap, clientId: 'test' });
  try {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
    return new Map(group?.topics.filter((t) => t.name === topic).flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.committedOffset] as const)) ?? []);
  } finally {
    await admin.close();
  }
}

/** Waits until the sink's group has committed every partition up to its end offset. */
export async function waitUntilCommitted(bootstrap: string, groupId: string, topic: string, ends: Map<number, bigint>, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const committed = await committedOffsets(bootstrap, groupId, topic);
      return [...ends].every(([partition, end]) => end === 0n || committed.get(partition) === end);
    },
    { what: `group ${groupId} to commit ${topic} up to ${[...ends].map(([p, e]) => `${p}:${e}`).join(' ')}`, timeoutMs, intervalMs: 250 },
  );
}

export interface LandedCheck {
  rows: number;
  distinctPositions: number;
  distinctEvents: number;
  mismatched: number;
}

/** Every landed tracking row counted and checked against the event its id names, through DuckDB. */
export async function checkWithDuckDb(fs: SinkFileSystem, topic: string): Promise<LandedCheck> {
  const result = await queryLanded(
    fs,
    `SELECT count(*) AS rows,
            count(DISTINCT (kafka_partition, kafka_offset)) AS positions,
            count(DISTINCT event_id) AS events,
            count(*) FILTER (WHERE event_id <> 'e-' || json_extract_string(properties, '$.n')
                             OR anonymous_id <> 'a-' || (CAST(json_extract_string(properties, '$.n') AS BIGINT) % 5000)
                             OR event <> 'signup' OR page_path IS NULL) AS mismatched
       FROM "${topic}"`,
  );
  const row = result.rows[0]!;
  return { rows: Number(row.rows), distinctPositions: Number(row.positions), distinctEvents: Number(row.events), mismatched: Number(row.mismatched) };
}

/** The same check through parquetjs, reading every row of every committed file. */
export async function checkWithParquetjs(fs: SinkFileSystem, topic: string): Promise<LandedCheck & { offsetsOutsideName: number }> {
  const positions = new Set<string>();
  const events = new Set<string>();
  let rows = 0;
  let mismatched = 0;
  let offsetsOutsideName = 0;
  for (const file of await committedFiles(fs, topic)) {
    const local = fs.localPath(file.path);
    const reader = local ? await ParquetReader.openFile(local) : await ParquetReader.openBuffer(await fs.read(file.path));
    // Only the checked columns: decoding every column of 1M rows is most of the read time.
    const cursor = reader.getCursor([['kafka_partition'], ['kafka_offset'], ['event_id'], ['anonymous_id'], ['properties']]);
    for (let row = (await cursor.next()) as Record<string, unknown> | null; row; row = (await cursor.next()) as Record<string, unknown> | null) {
      rows++;
      const offset = BigInt(row.kafka_offset as bigint);
      if (row.kafka_partition !== file.partition || offset < file.startOffset || offset > file.endOffset) offsetsOutsideName++;
      positions.add(`${row.kafka_partition}:${offset}`);
      events.add(row.event_id as string);
      const n = (JSON.parse(row.properties as string) as { n: number }).n;
      if (row.event_id !== `e-${n}` || row.anonymous_id !== `a-${n % 5000}`) mismatched++;
    }
    await reader.close();
  }
  return { rows, distinctPositions: positions.size, distinctEvents: events.size, mismatched, offsetsOutsideName };
}
