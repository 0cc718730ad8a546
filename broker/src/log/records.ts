import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32c } from '@node-rs/crc32';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { KafkaError } from '../protocol/errors.ts';
import { BATCH } from './record-batch.ts';

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
const CODES: Record<Compression, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const NAMES: Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface NewRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Array<{ key: string; value: Buffer | string | null }>;
  timestamp?: number;
}

function writeVarint(out: number[], value: number): void {
  let zigzag = (value << 1) ^ (value >> 31);
  zigzag >>>= 0;
  while (zigzag >= 0x80) {
    out.push((zigzag & 0x7f) | 0x80);
    zigzag >>>= 7;
  }
  out.push(zigzag);
}

function writeVarlong(out: number[], value: number): void {
  let zigzag = (BigInt(value) << 1n) ^ (BigInt(value) >> 63n);
  zigzag &= 0xffffffffffffffffn;
  while (zigzag >= 0x80n) {
    out.push(Number((zigzag & 0x7fn) | 0x80n));
    zigzag >>= 7n;
  }
  out.push(Number(zigzag));
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

function encodeRecord(record: NewRecord, offsetDelta: number, timestampDelta: number): Buffer {
  const body: number[] = [0];
  writeVarlong(body, timestampDelta);
  writeVarint(body, offsetDelta);
  const parts: Buffer[] = [];
  const key = toBuffer(record.key);
  const value = toBuffer(record.value);
  const head = Buffer.from(body);
  const tail: number[] = [];
  const keyLen: number[] = [];
  writeVarint(keyLen, key ? key.length : -1);
  const valueLen: number[] = [];
  writeVarint(valueLen, value ? value.length : -1);
  parts.push(head, Buffer.from(keyLen));
  if (key) parts.push(key);
  parts.push(Buffer.from(valueLen));
  if (value) parts.push(value);
  const headers = record.headers ?? [];
  writeVarint(tail, headers.length);
  parts.push(Buffer.from(tail));
  for (const header of headers) {
    const name = Buffer.from(header.key);
    const headerValue = toBuffer(header.value);
    const lens: number[] = [];
    writeVarint(lens, name.length);
    parts.push(Buffer.from(lens), name);
    const vlen: number[] = [];
    writeVarint(vlen, headerValue ? headerValue.length : -1);
    parts.push(Buffer.from(vlen));
    if (headerValue) parts.push(headerValue);
  }
  const payload = Buffer.concat(parts);
  const length: number[] = [];
  writeVarint(length, payload.length);
  return Buffer.concat([Buffer.from(length), payload]);
}

function compress(codec: Compression, data: Buffer): Buffer {
  switch (codec) {
    case 'none': return data;
    case 'gzip': return gzipSync(data);
    case 'snappy': return snappyCompress(data);
    case 'lz4': return compressFrameSync(data);
    case 'zstd': throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', 'zstd is not available to this broker for writing');
  }
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function decompress(codec: Compression, data: Buffer): Buffer {
  switch (codec) {
    case 'none': return data;
    case 'gzip': return gunzipSync(data);
    case 'snappy': {
      // Java clients frame snappy the xerial way: a magic header, then length-prefixed blocks.
      if (data.length >= 16 && data.subarray(0, 8).equals(XERIAL_MAGIC)) {
        const blocks: Buffer[] = [];
        let at = 16;
        while (at + 4 <= data.length) {
          const size = data.readInt32BE(at);
          at += 4;
          blocks.push(snappyUncompress(data.subarray(at, at + size)) as Buffer);
          at += size;
        }
        return Buffer.concat(blocks);
      }
      return snappyUncompress(data) as Buffer;
    }
    case 'lz4': return decompressFrameSync(data);
    case 'zstd': throw new KafkaError('UNSUPPORTED_COMPRESSION_TYPE', 'zstd batches are stored as sent; this tool cannot decode them');
  }
}

export function buildRecordBatch(options: {
  baseOffset?: number;
  records: NewRecord[];
  compression?: Compression;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  partitionLeaderEpoch?: number;
}): Buffer {
  const records = options.records;
  const now = Date.now();
  const baseTimestamp = records.length > 0 ? (records[0]!.timestamp ?? now) : now;
  let maxTimestamp = baseTimestamp;
  const encoded = records.map((record, i) => {
    const timestamp = record.timestamp ?? now;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    return encodeRecord(record, i, timestamp - baseTimestamp);
  });
  const codec = options.compression ?? 'none';
  const payload = compress(codec, Buffer.concat(encoded));
  const batch = Buffer.alloc(BATCH.HEADER_SIZE + payload.length);
  batch.writeBigInt64BE(BigInt(options.baseOffset ?? 0), BATCH.BASE_OFFSET);
  batch.writeInt32BE(batch.length - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, BATCH.LEADER_EPOCH);
  batch.writeInt8(2, BATCH.MAGIC);
  const attributes = CODES[codec] | (options.isTransactional ? 0x10 : 0) | (options.isControl ? 0x20 : 0);
  batch.writeInt16BE(attributes, BATCH.ATTRIBUTES);
  batch.writeInt32BE(Math.max(0, records.length - 1), BATCH.LAST_OFFSET_DELTA);
  batch.writeBigInt64BE(BigInt(baseTimestamp), BATCH.BASE_TIMESTAMP);
  batch.writeBigInt64BE(BigInt(maxTimestamp), BATCH.MAX_TIMESTAMP);
  batch.writeBigInt64BE(BigInt(options.producerId ?? -1), BATCH.PRODUCER_ID);
  batch.writeInt16BE(options.producerEpoch ?? -1, BATCH.PRODUCER_EPOCH);
  batch.writeInt32BE(options.baseSequence ?? -1, BATCH.BASE_SEQUENCE);
  batch.writeInt32BE(records.length, BATCH.RECORD_COUNT);
  payload.copy(batch, BATCH.HEADER_SIZE);
  batch.writeUInt32BE(crc32c(batch.subarray(BATCH.ATTRIBUTES)) >>> 0, BATCH.CRC);
  return batch;
}

class VarReader {
  constructor(private readonly buf: Buffer, public at: number) {}
  varint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.at >= this.buf.length) throw new KafkaError('CORRUPT_MESSAGE', 'truncated varint in record');
      const byte = this.buf[this.at++]!;
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw new KafkaError('CORRUPT_MESSAGE', 'varint too long in record');
    }
    return (value >>> 1) ^ -(value & 1);
  }
  varlong(): number {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      if (this.at >= this.buf.length) throw new KafkaError('CORRUPT_MESSAGE', 'truncated varlong in record');
      const byte = BigInt(this.buf[this.at++]!);
      value |= (byte & 0x7fn) << shift;
      if ((byte & 0x80n) === 0n) break;
      shift += 7n;
      if (shift > 63n) throw new KafkaError('CORRUPT_MESSAGE', 'varlong too long in record');
    }
    return Number((value >> 1n) ^ -(value & 1n));
  }
  bytes(length: number): Buffer | null {
    if (length < 0) return null;
    if (this.at + length > this.buf.length) throw new KafkaError('CORRUPT_MESSAGE', 'record field runs past the batch');
    const out = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }
}

export interface DecodedBatch {
  baseOffset: number;
  compression: Compression;
  isControl: boolean;
  isTransactional: boolean;
  producerId: number;
  records: KafkaRecord[];
}

export function decodeRecordBatch(batch: Buffer): DecodedBatch {
  const baseOffset = Number(batch.readBigInt64BE(BATCH.BASE_OFFSET));
  const attributes = batch.readInt16BE(BATCH.ATTRIBUTES);
  const compression = NAMES[attributes & 0x07] ?? 'none';
  const baseTimestamp = Number(batch.readBigInt64BE(BATCH.BASE_TIMESTAMP));
  const count = batch.readInt32BE(BATCH.RECORD_COUNT);
  const logAppendTime = (attributes & 0x08) !== 0 ? Number(batch.readBigInt64BE(BATCH.MAX_TIMESTAMP)) : null;
  const payload = decompress(compression, batch.subarray(BATCH.HEADER_SIZE, batch.readInt32BE(BATCH.LENGTH) + BATCH.LOG_OVERHEAD));
  const reader = new VarReader(payload, 0);
  const records: KafkaRecord[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.varint();
    const end = reader.at + length;
    reader.at += 1;
    const timestampDelta = reader.varlong();
    const offsetDelta = reader.varint();
    const key = reader.bytes(reader.varint());
    const value = reader.bytes(reader.varint());
    const headerCount = reader.varint();
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const name = reader.bytes(reader.varint())!.toString('utf8');
      headers.push({ key: name, value: reader.bytes(reader.varint()) });
    }
    reader.at = end;
    records.push({ offset: baseOffset + offsetDelta, timestamp: logAppendTime ?? baseTimestamp + timestampDelta, key, value, headers });
  }
  return {
    baseOffset,
    compression,
    isControl: (attributes & 0x20) !== 0,
    isTransactional: (attributes & 0x10) !== 0,
    producerId: Number(batch.readBigInt64BE(BATCH.PRODUCER_ID)),
    records,
  };
}
