import Int64 from 'node-int64';
import parquetThrift from '@dsnp/parquetjs/dist/gen-nodejs/parquet_types.js';
import * as codec from '@dsnp/parquetjs/dist/lib/codec/index.js';
import { deflate } from '@dsnp/parquetjs/dist/lib/compression.js';
import { toPrimitive } from '@dsnp/parquetjs/dist/lib/types.js';
import { serializeThrift } from '@dsnp/parquetjs/dist/lib/util.js';
import type { ParquetField } from '@dsnp/parquetjs/dist/lib/declare.js';

type PlainOptions = Parameters<typeof codec.PLAIN.encodeValues>[2];

/** One flat column's buffered values of a row group, as ColumnBuffer keeps them. */
export interface ColumnValues {
  /** Non-null values in their physical form; UTF8 text stays a string until it is encoded here. */
  values: unknown[];
  /** 1 for a present value, 0 for a null; empty for required columns, which have no levels. */
  dlevels: number[];
  /** Rows, null or not. */
  count: number;
}

/** A page with what its column chunk's metadata and page index repeat. */
export interface EncodedPage {
  page: Buffer;
  /** PLAIN-encoded bounds; null when every value is null. */
  min: Buffer | null;
  max: Buffer | null;
  nullCount: number;
  numValues: number;
}

/**
 * PLAIN BYTE_ARRAY written in one pass from the strings, into room for the longest UTF-8 they
 * can take (3 bytes per UTF-16 unit): parquetjs's encoder copies every value into a Buffer of
 * its own first, one allocation per value.
 */
function plainText(values: unknown[]): Buffer {
  let room = 0;
  for (const value of values) room += 4 + 3 * (value as string).length;
  const out = Buffer.allocUnsafe(room);
  let at = 0;
  for (const value of values) {
    const written = out.write(value as string, at + 4);
    out.writeUInt32LE(written, at);
    at += 4 + written;
  }
  return out.subarray(0, at);
}

function encodeStatisticsValue(value: unknown, column: ParquetField): Buffer | null {
  if (value === undefined) return null;
  const primitive: unknown = column.originalType ? toPrimitive(column.originalType, value, column) : value;
  return column.primitiveType === 'BYTE_ARRAY' ? (primitive as Buffer) : codec.PLAIN.encodeValues(column.primitiveType!, [primitive], column as unknown as PlainOptions);
}

/**
 * A version 1 data page of a flat column, byte for byte what parquetjs's encodeDataPage writes
 * for the same rows except for the statistics, which leave distinct_count out (see row-group.ts).
 */
export async function encodeDataPage(column: ParquetField, data: ColumnValues): Promise<EncodedPage> {
  const values = data.values;
  let min = values[0];
  let max = min;
  for (let i = 1; i < values.length; i++) {
    const value = values[i];
    if ((max as number) < (value as number)) max = value;
    if ((min as number) > (value as number)) min = value;
  }
  const valuesBuf = column.primitiveType === 'BYTE_ARRAY' ? plainText(values) : codec.PLAIN.encodeValues(column.primitiveType!, values, { bitWidth: column.typeLength, ...column } as PlainOptions);
  const dLevelsBuf = column.dLevelMax > 0 ? codec.RLE.encodeValues('INT32', data.dlevels, { bitWidth: 1 }) : Buffer.alloc(0);
  const body = await deflate(column.compression!, Buffer.concat([dLevelsBuf, valuesBuf]));
  const nullCount = data.count - values.length;
  const encodedMin = encodeStatisticsValue(min, column);
  const encodedMax = encodeStatisticsValue(max, column);
  const header = new parquetThrift.PageHeader();
  header.type = parquetThrift.PageType.DATA_PAGE;
  header.uncompressed_page_size = dLevelsBuf.length + valuesBuf.length;
  header.compressed_page_size = body.length;
  header.data_page_header = new parquetThrift.DataPageHeader();
  header.data_page_header.num_values = data.count;
  header.data_page_header.statistics = new parquetThrift.Statistics({ null_count: new Int64(nullCount), min_value: encodedMin, max_value: encodedMax, min: encodedMin, max: encodedMax } as never);
  header.data_page_header.encoding = parquetThrift.Encoding.PLAIN;
  header.data_page_header.definition_level_encoding = parquetThrift.Encoding.RLE;
  header.data_page_header.repetition_level_encoding = parquetThrift.Encoding.RLE;
  return { page: Buffer.concat([serializeThrift(header), body]), min: encodedMin, max: encodedMax, nullCount, numValues: data.count };
}
