import { crc32c } from '@node-rs/crc32';
import { KafkaError } from '../protocol/errors.ts';

/** RecordBatch v2 header layout (Kafka's DefaultRecordBatch). */
export const BATCH = {
  BASE_OFFSET: 0,
  LENGTH: 8,
  LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORD_COUNT: 57,
  HEADER_SIZE: 61,
  /** Bytes before the batch length field's coverage starts. */
  LOG_OVERHEAD: 12,
} as const;

export interface BatchHeader {
  baseOffset: number;
  size: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  attributes: number;
  leaderEpoch: number;
}

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: Number(buf.readBigInt64BE(at + BATCH.BASE_OFFSET)),
    size: buf.readInt32BE(at + BATCH.LENGTH) + BATCH.LOG_OVERHEAD,
    leaderEpoch: buf.readInt32BE(at + BATCH.LEADER_EPOCH),
    attributes: buf.readInt16BE(at + BATCH.ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(at + BATCH.LAST_OFFSET_DELTA),
    baseTimestamp: Number(buf.readBigInt64BE(at + BATCH.BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(at + BATCH.MAX_TIMESTAMP)),
    producerId: Number(buf.readBigInt64BE(at + BATCH.PRODUCER_ID)),
    producerEpoch: buf.readInt16BE(at + BATCH.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + BATCH.BASE_SEQUENCE),
    recordCount: buf.readInt32BE(at + BATCH.RECORD_COUNT),
  };
}

export function computeCrc(buf: Buffer, at: number, size: number): number {
  return crc32c(buf.subarray(at + BATCH.ATTRIBUTES, at + size)) >>> 0;
}

/**
 * Splits a buffer of batches, checking each: magic 2, a sane length, the CRC32C. Throws
 * CORRUPT_MESSAGE / INVALID_RECORD naming what is wrong, so nothing partial is ever appended.
 */
export function validateBatches(buf: Buffer): BatchHeader[] {
  const out: BatchHeader[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < BATCH.HEADER_SIZE) throw new KafkaError('CORRUPT_MESSAGE', `truncated record batch at byte ${at}`);
    const magic = buf.readInt8(at + BATCH.MAGIC);
    if (magic !== 2) throw new KafkaError('UNSUPPORTED_FOR_MESSAGE_FORMAT', `record batch magic ${magic} is not supported (only v2)`);
    const size = buf.readInt32BE(at + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
    if (size < BATCH.HEADER_SIZE || at + size > buf.length) throw new KafkaError('CORRUPT_MESSAGE', `record batch length ${size} at byte ${at} does not fit the request`);
    const stored = buf.readUInt32BE(at + BATCH.CRC);
    if (computeCrc(buf, at, size) !== stored) throw new KafkaError('CORRUPT_MESSAGE', `record batch at byte ${at} fails its CRC32C check`);
    const header = readBatchHeader(buf, at);
    if (header.lastOffsetDelta < 0 || header.recordCount < 0 || (header.recordCount > 0 && header.lastOffsetDelta + 1 < header.recordCount)) {
      throw new KafkaError('INVALID_RECORD', `record batch at byte ${at} has inconsistent counts`);
    }
    out.push(header);
    at += size;
  }
  return out;
}

/** Walks batches of a buffer read from a segment, stopping at the first incomplete one. */
export function* iterateBatches(buf: Buffer): Generator<Buffer> {
  let at = 0;
  while (buf.length - at >= BATCH.HEADER_SIZE) {
    const size = buf.readInt32BE(at + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
    if (size < BATCH.HEADER_SIZE || at + size > buf.length) return;
    yield buf.subarray(at, at + size);
    at += size;
  }
}
