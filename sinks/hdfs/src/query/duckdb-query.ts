import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { SinkFileSystem } from '../fs/file-system.ts';
import { describeLandedTable, landedTopics } from './landed-tables.ts';

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Runs SQL over landed Parquet with DuckDB, each topic a view named after it (dt and hour come
 * from the directory names). A WebHDFS root is copied to a local temp directory first: DuckDB
 * has no WebHDFS reader, and this command is for looking at data, not for cluster-sized scans.
 */
export async function queryLanded(fs: SinkFileSystem, sql: string): Promise<QueryResult> {
  let scratch: string | null = null;
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const topic of await landedTopics(fs)) {
      const table = await describeLandedTable(fs, topic);
      if (table.files.length === 0) continue;
      let files = table.files.map((file) => fs.localPath(file));
      if (files.some((file) => file === null)) {
        scratch ??= await mkdtemp(join(tmpdir(), 'tributary-query-'));
        files = [];
        for (const file of table.files) {
          const local = join(scratch, file);
          await mkdir(dirname(local), { recursive: true });
          await writeFile(local, await fs.read(file));
          files.push(local);
        }
      }
      const list = `[${files.map((file) => quoteString(file!)).join(', ')}]`;
      await connection.run(`CREATE VIEW ${quoteIdentifier(topic)} AS SELECT * FROM read_parquet(${list}, hive_partitioning = true, union_by_name = true)`);
    }
    const reader = await connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJS() as Array<Record<string, unknown>> };
  } finally {
    connection.closeSync();
    instance.closeSync();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
