import parquet from '@dsnp/parquetjs';
import type { SinkFileSystem } from '../fs/file-system.ts';
import { parseCommittedFileName } from '../layout/file-names.ts';
import { parseTimeDirectory } from '../layout/time-partitioner.ts';

const { ParquetReader } = parquet;

export interface LandedColumn {
  name: string;
  /** Parquet logical type (UTF8, TIMESTAMP_MILLIS, ...) or physical type when there is none. */
  parquetType: string;
}

export interface LandedTable {
  topic: string;
  columns: LandedColumn[];
  /** dt/hour directories holding committed files, in order. */
  partitions: Array<{ dt: string; hour: string; path: string }>;
  files: string[];
}

/** Topics under a root: every directory except the sink's own +tmp. */
export async function landedTopics(fs: SinkFileSystem): Promise<string[]> {
  return (await fs.list('/')).filter((entry) => entry.type === 'DIRECTORY' && !entry.name.startsWith('+')).map((entry) => entry.name);
}

/**
 * What has landed for a topic: its time partitions and the union of its files' columns in file
 * order, as DuckDB's union_by_name orders them (a CDC table that gained or lost a column has
 * files of both shapes; Hive and DuckDB read a file without a column as NULL there). Only the
 * footers are read from a local root; over WebHDFS each file is fetched once.
 */
export async function describeLandedTable(fs: SinkFileSystem, topic: string): Promise<LandedTable> {
  const table: LandedTable = { topic, columns: [], partitions: [], files: [] };
  const seen = new Set<string>();
  const days = (await fs.list(`/${topic}`)).filter((entry) => entry.type === 'DIRECTORY');
  for (const day of days) {
    for (const hour of (await fs.list(day.path)).filter((entry) => entry.type === 'DIRECTORY')) {
      const files = (await fs.list(hour.path)).filter((entry) => entry.type === 'FILE' && parseCommittedFileName(entry.name) !== null);
      const time = parseTimeDirectory(hour.path);
      if (files.length === 0 || !time) continue;
      table.partitions.push({ ...time, path: hour.path });
      table.files.push(...files.map((file) => file.path));
      for (const file of files) {
        for (const column of await parquetColumns(fs, file.path)) {
          if (seen.has(column.name)) continue;
          seen.add(column.name);
          table.columns.push(column);
        }
      }
    }
  }
  return table;
}

export async function parquetColumns(fs: SinkFileSystem, path: string): Promise<LandedColumn[]> {
  const local = fs.localPath(path);
  const reader = local ? await ParquetReader.openFile(local) : await ParquetReader.openBuffer(await fs.read(path));
  try {
    return reader.schema.fieldList.map((field) => ({ name: field.name, parquetType: String(field.originalType ?? field.primitiveType) }));
  } finally {
    await reader.close();
  }
}
