import type { SpoolRecord } from './spool.ts';

/**
 * One spool record per line: the topic and key as JSON strings, then the value as it is, separated
 * by tabs (JSON strings hold no raw tab). Values are JSON text already, without line breaks, and
 * escaping them into a JSON string again cost about as much as serialising the event. A value that
 * does hold a line break is written as a JSON object {topic, key, value}, as all records were in
 * spools of earlier versions, which therefore still read.
 */
export function encodeSpoolLine(record: SpoolRecord): string {
  if (record.value.includes('\n')) return `${JSON.stringify(record)}\n`;
  return `${JSON.stringify(record.topic)}\t${JSON.stringify(record.key)}\t${record.value}\n`;
}

/** A line without its line break. */
export function decodeSpoolLine(line: string): SpoolRecord {
  if (line.startsWith('{')) return JSON.parse(line) as SpoolRecord;
  const topicEnd = line.indexOf('\t');
  const keyEnd = line.indexOf('\t', topicEnd + 1);
  return { topic: JSON.parse(line.slice(0, topicEnd)) as string, key: JSON.parse(line.slice(topicEnd + 1, keyEnd)) as string | null, value: line.slice(keyEnd + 1) };
}
