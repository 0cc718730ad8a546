/**
 * Kafka Connect's HDFS file naming: `<topic>+<partition>+<startOffset>+<endOffset>.parquet`, with
 * zero-padded offsets so names sort in offset order. The names are the sink's source of truth:
 * on restart the highest end offset per partition says where landing stops.
 */
export interface CommittedFile {
  topic: string;
  partition: number;
  startOffset: bigint;
  endOffset: bigint;
}

const OFFSET_DIGITS = 20;
const EXTENSION = '.parquet';

export function committedFileName(file: CommittedFile): string {
  const pad = (offset: bigint) => offset.toString().padStart(OFFSET_DIGITS, '0');
  return `${file.topic}+${file.partition}+${pad(file.startOffset)}+${pad(file.endOffset)}${EXTENSION}`;
}

/** The parts of a committed file name, or null for any other file (temp files, _SUCCESS, ...). */
export function parseCommittedFileName(name: string): CommittedFile | null {
  if (!name.endsWith(EXTENSION)) return null;
  const parts = name.slice(0, -EXTENSION.length).split('+');
  // Topic names cannot contain '+', so exactly four parts.
  if (parts.length !== 4) return null;
  const [topic, partition, start, end] = parts as [string, string, string, string];
  if (!/^\d+$/.test(partition) || !/^\d+$/.test(start) || !/^\d+$/.test(end)) return null;
  return { topic, partition: Number(partition), startOffset: BigInt(start), endOffset: BigInt(end) };
}

/** Where a partition's uncommitted files and commit intents live, outside every table's location. */
export function tempDir(topic: string, partition: number): string {
  return `/+tmp/${topic}/${partition}`;
}

export function topicDir(topic: string): string {
  return `/${topic}`;
}
