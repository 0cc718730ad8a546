import type { Logger } from '@tributary/common';
import { joinPath, type SinkFileSystem } from '../fs/file-system.ts';
import { parseCommittedFileName, tempDir, topicDir, type CommittedFile } from '../layout/file-names.ts';

/** What a commit is about to rename; written before the first rename so a crash can finish the rest. */
export interface CommitIntent {
  renames: Array<{ from: string; to: string }>;
}

export const INTENT_PREFIX = 'intent-';

/**
 * Brings a partition's temp directory back to a clean state after a crash: commits whose intent
 * was written are finished (their files were complete before the intent existed), anything else
 * there is a file that was never committed and is deleted, since its records will be consumed
 * again from the last committed offset.
 */
export async function recoverTempDir(fs: SinkFileSystem, topic: string, partition: number, log: Logger): Promise<void> {
  const dir = tempDir(topic, partition);
  const entries = await fs.list(dir);
  for (const entry of entries.filter((e) => e.name.startsWith(INTENT_PREFIX) && e.name.endsWith('.json'))) {
    const intent = JSON.parse((await fs.read(entry.path)).toString()) as CommitIntent;
    for (const { from, to } of intent.renames) {
      if ((await fs.status(from)) === null) continue;
      if ((await fs.status(to)) !== null) await fs.delete(from);
      else if (!(await fs.rename(from, to))) throw new Error(`could not finish the interrupted commit: rename ${from} -> ${to} failed`);
    }
    await fs.delete(entry.path);
    log.info({ topic, partition, files: intent.renames.length }, 'finished a commit interrupted by a crash');
  }
  for (const entry of await fs.list(dir)) await fs.delete(entry.path, true);
}

/** Every committed file of a topic, found by walking dt=/hour= directories (as Kafka Connect does). */
export async function committedFiles(fs: SinkFileSystem, topic: string): Promise<Array<CommittedFile & { path: string }>> {
  const out: Array<CommittedFile & { path: string }> = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.list(dir)) {
      if (entry.type === 'DIRECTORY') await walk(entry.path);
      else {
        const parsed = parseCommittedFileName(entry.name);
        if (parsed && parsed.topic === topic) out.push({ ...parsed, path: joinPath(entry.path) });
      }
    }
  };
  await walk(topicDir(topic));
  return out;
}

/** The highest landed end offset per partition of a topic. */
export async function landedEndOffsets(fs: SinkFileSystem, topic: string): Promise<Map<number, bigint>> {
  const ends = new Map<number, bigint>();
  for (const file of await committedFiles(fs, topic)) {
    const current = ends.get(file.partition);
    if (current === undefined || file.endOffset > current) ends.set(file.partition, file.endOffset);
  }
  return ends;
}
