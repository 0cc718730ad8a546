import Int64 from 'node-int64';
import parquetThrift from '@dsnp/parquetjs/dist/gen-nodejs/parquet_types.js';
import { serializeThrift } from '@dsnp/parquetjs/dist/lib/util.js';
import type { ColumnChunkExt, ColumnMetaDataExt, ParquetField, RowGroupExt } from '@dsnp/parquetjs/dist/lib/declare.js';
import type { EncodedPage } from './data-page.ts';

/**
 * A column chunk of one page, laid out as parquetjs's encodeColumnChunk lays it out, except that
 * the statistics have no distinct_count: parquetjs derives it from a set of every distinct value
 * of the row group, most of the cost of buffering a row, and parquet-mr and Arrow leave it out too.
 * The page index rides on the metadata object (not serialized with it) for parquetjs's writeIndex.
 */
function encodeColumnChunk(column: ParquetField, page: EncodedPage, offset: number): { body: Buffer; chunk: ColumnChunkExt } {
  const metadata: ColumnMetaDataExt = new parquetThrift.ColumnMetaData();
  metadata.path_in_schema = column.path;
  metadata.num_values = new Int64(page.numValues);
  metadata.data_page_offset = new Int64(offset);
  metadata.encodings = [parquetThrift.Encoding.RLE, parquetThrift.Encoding[column.encoding as keyof typeof parquetThrift.Encoding]];
  // parquetjs records the compressed size as the uncompressed one too; kept so only the statistics differ.
  metadata.total_uncompressed_size = new Int64(page.page.length);
  metadata.total_compressed_size = new Int64(page.page.length);
  metadata.type = parquetThrift.Type[column.primitiveType!];
  metadata.codec = parquetThrift.CompressionCodec[column.compression!];
  metadata.statistics = new parquetThrift.Statistics({ null_count: new Int64(page.nullCount), min_value: page.min, max_value: page.max, min: page.min, max: page.max } as never);

  const columnIndex = new parquetThrift.ColumnIndex();
  columnIndex.null_pages = [page.numValues === page.nullCount];
  columnIndex.min_values = [page.min ?? Buffer.alloc(0)];
  columnIndex.max_values = [page.max ?? Buffer.alloc(0)];
  columnIndex.boundary_order = parquetThrift.BoundaryOrder.UNORDERED;
  metadata.columnIndex = columnIndex;
  const location = new parquetThrift.PageLocation();
  location.offset = new Int64(offset);
  location.compressed_page_size = page.page.length;
  location.first_row_index = new Int64(0);
  const offsetIndex = new parquetThrift.OffsetIndex();
  offsetIndex.page_locations = [location];
  metadata.offsetIndex = offsetIndex;

  const chunk: ColumnChunkExt = new parquetThrift.ColumnChunk();
  chunk.file_offset = new Int64(offset + page.page.length);
  chunk.meta_data = metadata;
  return { body: Buffer.concat([page.page, serializeThrift(metadata)]), chunk };
}

/** A row group of one page per column, its chunks in `fields`' order, starting at file offset `offset`. */
export function encodeRowGroup(fields: readonly ParquetField[], pages: Record<string, EncodedPage>, rowCount: number, offset: number): { body: Buffer; metadata: RowGroupExt } {
  const metadata: RowGroupExt = Object.assign(new parquetThrift.RowGroup(), { columns: [] as ColumnChunkExt[] });
  metadata.num_rows = new Int64(rowCount);
  const bodies: Buffer[] = [];
  let size = 0;
  for (const field of fields) {
    const { body, chunk } = encodeColumnChunk(field, pages[field.name]!, offset + size);
    metadata.columns.push(chunk);
    bodies.push(body);
    size += body.length;
  }
  metadata.total_byte_size = new Int64(size);
  return { body: Buffer.concat(bodies, size), metadata };
}
