import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BATCH, computeCrc, readBatchHeader } from './record-batch.ts';
import { decodeRecordBatch } from './records.ts';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export interface DumpedBatch {
  baseOffset: number;
  lastOffset: number;
  count: number;
  position: number;
  createTime: number;
  size: number;
  magic: number;
  compresscodec: string;
  crc: number;
  isValid: boolean;
  isTransactional: boolean;
  isControl: boolean;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  partitionLeaderEpoch: number;
  records?: Array<{ offset: number; timestamp: number; key: string | null; value: string | null; headers: Record<string, string | null> }>;
  recordsError?: string;
}

export type SegmentDump =
  | { file: string; kind: 'log'; batches: DumpedBatch[]; trailingBytes: number }
  | { file: string; kind: 'index'; baseOffset: number; entries: Array<{ offset: number; position: number }> }
  | { file: string; kind: 'timeindex'; baseOffset: number; entries: Array<{ timestamp: number; offset: number }> };

/** Describes a segment file the way kafka-dump-log does: batches of a .log, entries of an index. */
export function dumpSegmentFile(path: string, options: { printDataLog?: boolean } = {}): SegmentDump {
  const content = readFileSync(path);
  const name = basename(path);
  const baseOffset = Number(name.slice(0, 20));
  if (name.endsWith('.index')) {
    const entries = [];
    for (let at = 0; at + 8 <= content.length; at += 8) entries.push({ offset: baseOffset + content.readInt32BE(at), position: content.readInt32BE(at + 4) });
    return { file: path, kind: 'index', baseOffset, entries };
  }
  if (name.endsWith('.timeindex')) {
    const entries = [];
    for (let at = 0; at + 12 <= content.length; at += 12) entries.push({ timestamp: Number(content.readBigInt64BE(at)), offset: baseOffset + content.readInt32BE(at + 8) });
    return { file: path, kind: 'timeindex', baseOffset, entries };
  }
  if (!name.endsWith('.log')) throw new Error(`${path} is not a segment file (.log, .index or .timeindex)`);
  const batches: DumpedBatch[] = [];
  let position = 0;
  while (content.length - position >= BATCH.HEADER_SIZE) {
    const header = readBatchHeader(content, position);
    if (header.size < BATCH.HEADER_SIZE || position + header.size > content.length) break;
    const raw = content.subarray(position, position + header.size);
    const crc = raw.readUInt32BE(BATCH.CRC);
    const dumped: DumpedBatch = {
      baseOffset: header.baseOffset,
      lastOffset: header.baseOffset + header.lastOffsetDelta,
      count: header.recordCount,
      position,
      createTime: header.maxTimestamp,
      size: header.size,
      magic: raw.readInt8(BATCH.MAGIC),
      compresscodec: CODECS[header.attributes & 0x07] ?? 'unknown',
      crc,
      isValid: computeCrc(raw, 0, header.size) === crc,
      isTransactional: (header.attributes & 0x10) !== 0,
      isControl: (header.attributes & 0x20) !== 0,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      partitionLeaderEpoch: header.leaderEpoch,
    };
    if (options.printDataLog) {
      try {
        dumped.records = decodeRecordBatch(raw).records.map((record) => ({
          offset: record.offset,
          timestamp: record.timestamp,
          key: record.key?.toString('utf8') ?? null,
          value: record.value?.toString('utf8') ?? null,
          headers: Object.fromEntries(record.headers.map((h) => [h.key, h.value?.toString('utf8') ?? null])),
        }));
      } catch (error) {
        dumped.recordsError = (error as Error).message;
      }
    }
    batches.push(dumped);
    position += header.size;
  }
  return { file: path, kind: 'log', batches, trailingBytes: content.length - position };
}
