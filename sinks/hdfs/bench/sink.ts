// `npm run bench -- sink`: tracking events landed as Parquet on the local file system by the sink
// (consume from our broker, map, write, commit), against DuckDB writing the same rows to Parquet
// from a JSON-lines file in the same run, the ceiling for a Parquet writer on this machine.
// Options:
//   --events N        tracking events to land (default 500000)
//   --partitions N    partitions of the topic (default 6)
//   --row-group-size N  Parquet rows per row group (default: the sink's default)
//   --cpu-prof DIR    write a CPU profile of the landing run to DIR
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createLogger } from '@tributary/common';
import { startBroker } from '@tributary/testkit';
import { positiveIntOption as option, type BenchOptions, type BenchResult } from '../../../scripts/bench.ts';
import { committedFiles, LocalFileSystem, sinkConfig, startSinkWorker } from '../src/index.ts';
import { produceTrackingEvents, waitUntilLanded } from '../test/support/landing.ts';

const TOPIC = 'tracking.events';

/** The values of a kcat key<TAB>value file as JSON lines, DuckDB's input. */
async function valuesOnly(input: string, output: string): Promise<number> {
  const out = createWriteStream(output);
  let bytes = 0;
  for await (const line of createInterface({ input: createReadStream(input) })) {
    const value = line.slice(line.indexOf('\t') + 1);
    bytes += Buffer.byteLength(value);
    if (!out.write(`${value}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return bytes;
}

async function duckDbCeiling(jsonLines: string, target: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const started = performance.now();
    await connection.run(`COPY (SELECT * FROM read_json('${jsonLines}', format = 'newline_delimited')) TO '${target}' (FORMAT parquet, COMPRESSION snappy)`);
    return (performance.now() - started) / 1000;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const events = option(options, 'events', 500_000);
  const partitions = option(options, 'partitions', 6);
  const rowGroupSize = options.values['row-group-size'] === undefined ? sinkConfig().rowGroupSize : option(options, 'row-group-size', 1);
  const profileDir = typeof options.values['cpu-prof'] === 'string' ? options.values['cpu-prof'] : null;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-sink-'));
  const broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  try {
    options.progress(`producing ${events.toLocaleString('en-US')} tracking events with kcat`);
    const ends = await produceTrackingEvents(broker.bootstrap, dir, TOPIC, { events, hours: 3, partitions });
    const input = join(dir, `${TOPIC}.tsv`);
    const jsonLines = join(dir, 'events.jsonl');
    const valueBytes = await valuesOnly(input, jsonLines);

    options.progress('landing with the sink');
    const root = join(dir, 'landed');
    const fs = new LocalFileSystem(root);
    const session = profileDir ? new Session() : null;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const started = performance.now();
    const worker = await startSinkWorker(sinkConfig({ topics: [TOPIC], root: `file://${root}`, bootstrapServers: broker.bootstrap, rotateIntervalMs: 2000, timestampField: 'timestamp', rowGroupSize }), {
      log: createLogger('sink', { level: 'warn' }),
    });
    await waitUntilLanded(fs, TOPIC, ends, 3_600_000);
    const sinkSeconds = (performance.now() - started) / 1000;
    await worker.close();
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      const path = join(profileDir!, `sink-${Date.now()}.cpuprofile`);
      writeFileSync(path, JSON.stringify(profile));
      options.progress(`CPU profile in ${path}`);
      session.disconnect();
    }
    const parquetBytes = (await committedFiles(fs, TOPIC)).reduce((sum, file) => sum + statSync(fs.localPath(file.path)).size, 0);
    options.progress(`sink: ${Math.round(events / sinkSeconds).toLocaleString('en-US')} events/s; DuckDB next`);
    const duckSeconds = await duckDbCeiling(jsonLines, join(dir, 'duckdb.parquet'));
    const duckBytes = statSync(join(dir, 'duckdb.parquet')).size;
    return {
      title: `Landing ${events.toLocaleString('en-US')} tracking events (${partitions} partitions) as Snappy Parquet on the local file system`,
      subject: 'tributary sink',
      peers: ['DuckDB COPY'],
      rows: [
        { metric: 'events landed per second', unit: 'events/s', better: 'higher', values: { 'tributary sink': events / sinkSeconds, 'DuckDB COPY': events / duckSeconds } },
        { metric: 'JSON input landed per second', unit: 'MB/s', better: 'higher', values: { 'tributary sink': valueBytes / 1e6 / sinkSeconds, 'DuckDB COPY': valueBytes / 1e6 / duckSeconds } },
        { metric: 'Parquet bytes per event', unit: 'B', better: 'lower', values: { 'tributary sink': parquetBytes / events, 'DuckDB COPY': duckBytes / events } },
      ],
      notes: [
        'The sink figure is end to end: consume from our broker through the sink\'s consumer group, map to the tracking schema, write Parquet (pages and row groups encoded by the sink, page index and footer by parquetjs), close, fsync, rename, commit offsets; the time runs from the worker\'s start until the last file is in place.',
        'DuckDB reads the same event values from a JSON-lines file and writes one Parquet file (its own C++ writer, all cores); it neither consumes nor commits, so it is a ceiling, not a like-for-like peer.',
      ],
    };
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
