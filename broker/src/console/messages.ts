import { iterateBatches, readBatchHeader } from '../log/record-batch.ts';
import { decodeRecordBatch, type KafkaRecord } from '../log/records.ts';
import type { Partition } from '../replication/partition.ts';

export interface BrowseQuery {
  /** First offset wanted; clamped to [log start, high watermark]. */
  offset?: number;
  /** Epoch ms: start at the first record with a timestamp at or after it (as ListOffsets does). */
  timestamp?: number;
  limit: number;
  /** Longest key / value / header text returned, in characters. */
  maxValueChars: number;
}

export interface BrowsedMessage {
  offset: number;
  timestamp: number;
  timestampIso: string | null;
  key: string | null;
  keyBytes: number | null;
  value: string | null;
  valueBytes: number | null;
  truncated: boolean;
  headers: Array<{ key: string; value: string | null }>;
}

export interface BrowseResult {
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
  /** Where reading started (after resolving a timestamp and clamping). */
  startOffset: number;
  /** The offset to continue from for the next page. */
  nextOffset: number;
  messages: BrowsedMessage[];
  /** Batches that could not be decoded here (zstd), reported by their offsets. */
  undecodable: Array<{ baseOffset: number; lastOffset: number; reason: string }>;
}

/** Bytes read from the log per step, and in total per request. */
const READ_CHUNK_BYTES = 1 << 20;
const READ_BUDGET_BYTES = 16 << 20;

function text(buffer: Buffer | null, maxChars: number): { text: string | null; truncated: boolean } {
  if (buffer === null) return { text: null, truncated: false };
  // Decode at most a little more than needed: a long value is never turned whole into a string.
  const decoded = buffer.subarray(0, maxChars * 4).toString('utf8');
  const truncated = decoded.length > maxChars || buffer.length > maxChars * 4;
  return { text: truncated ? decoded.slice(0, maxChars) : decoded, truncated };
}

function view(record: KafkaRecord, maxChars: number): BrowsedMessage {
  const key = text(record.key, maxChars);
  const value = text(record.value, maxChars);
  const headers = record.headers.map((header) => ({ key: header.key, value: text(header.value, maxChars).text }));
  return {
    offset: record.offset,
    timestamp: record.timestamp,
    timestampIso: record.timestamp >= 0 && record.timestamp < 8.64e15 ? new Date(record.timestamp).toISOString() : null,
    key: key.text,
    keyBytes: record.key?.length ?? null,
    value: value.text,
    valueBytes: record.value?.length ?? null,
    truncated: key.truncated || value.truncated,
    headers,
  };
}

/**
 * Reads committed records (below the high watermark) straight from the partition log, the way
 * Fetch does, and decodes them; control batches (transaction markers) are skipped.
 */
export function browseMessages(partition: Partition, query: BrowseQuery): BrowseResult {
  const log = partition.log;
  const highWatermark = partition.highWatermark;
  const logStartOffset = log.logStartOffset;
  let start: number;
  if (query.timestamp !== undefined) {
    const found = log.offsetForTimestamp(query.timestamp);
    start = found && found.offset < highWatermark ? found.offset : highWatermark;
  } else if (query.offset !== undefined) {
    start = query.offset;
  } else {
    start = highWatermark - query.limit;
  }
  start = Math.min(Math.max(start, logStartOffset), highWatermark);

  const messages: BrowsedMessage[] = [];
  const undecodable: BrowseResult['undecodable'] = [];
  let position = start;
  let budget = READ_BUDGET_BYTES;
  while (messages.length < query.limit && position < highWatermark && budget > 0) {
    const read = log.read(position, Math.min(READ_CHUNK_BYTES, budget), highWatermark, true);
    let progressed = false;
    for (const chunk of read.records) {
      budget -= chunk.length;
      for (const batch of iterateBatches(chunk)) {
        const header = readBatchHeader(batch);
        const lastOffset = header.baseOffset + header.lastOffsetDelta;
        if (lastOffset < position) continue;
        progressed = true;
        if (messages.length < query.limit) {
          try {
            const decoded = decodeRecordBatch(batch);
            if (!decoded.isControl) {
              for (const record of decoded.records) {
                if (record.offset < position || record.offset < start) continue;
                if (messages.length >= query.limit) break;
                messages.push(view(record, query.maxValueChars));
              }
            }
          } catch (error) {
            undecodable.push({ baseOffset: header.baseOffset, lastOffset, reason: (error as Error).message });
          }
        }
        const lastTaken = messages.at(-1)?.offset;
        position = messages.length >= query.limit && lastTaken !== undefined ? lastTaken + 1 : lastOffset + 1;
        if (messages.length >= query.limit) break;
      }
      if (messages.length >= query.limit) break;
    }
    if (!progressed) break;
  }
  return { logStartOffset, highWatermark, logEndOffset: log.logEndOffset, startOffset: start, nextOffset: Math.min(position, highWatermark), messages, undecodable };
}
