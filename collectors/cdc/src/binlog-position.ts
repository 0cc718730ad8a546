/** Where in the source's binlog a change sits; (file, pos, row) identifies one row change. */
export interface BinlogPosition {
  file: string;
  pos: number;
  /** MariaDB GTID position or MySQL GTID set of everything up to here, when known. */
  gtids: string | null;
  /**
   * Only inside a transaction, whose start `pos` then names: as in Debezium's offsets, how many of
   * its row events were produced completely, then how many rows of the next one.
   */
  event?: number;
  row?: number;
}

/** binlog.000012 -> 12; rotation only ever increases the suffix. */
function fileSequence(file: string): number {
  const match = /(\d+)$/.exec(file);
  return match ? Number(match[1]) : 0;
}

/** Negative, zero or positive like a comparator; a consumer drops duplicates with it. */
export function comparePositions(a: { file: string; pos: number; row?: number }, b: { file: string; pos: number; row?: number }): number {
  return fileSequence(a.file) - fileSequence(b.file) || a.pos - b.pos || (a.row ?? 0) - (b.row ?? 0);
}

/**
 * The value stored in the offsets topic under the connector's key, as Kafka Connect does.
 * `event` and `row` are written only when non-zero, so offsets from before they existed still load.
 */
export interface StoredOffset {
  file: string;
  pos: number;
  gtids: string | null;
  event?: number;
  row?: number;
  snapshot_completed: boolean;
  ts_sec: number;
}

export function offsetKey(serverName: string): Buffer {
  return Buffer.from(JSON.stringify(['tributary-cdc', { server: serverName }]));
}

export function encodeOffset(position: BinlogPosition, snapshotCompleted: boolean): Buffer {
  const value: StoredOffset = {
    file: position.file,
    pos: position.pos,
    gtids: position.gtids,
    ...withinTransaction(position),
    snapshot_completed: snapshotCompleted,
    ts_sec: Math.floor(Date.now() / 1000),
  };
  return Buffer.from(JSON.stringify(value));
}

export function decodeOffset(value: Buffer): StoredOffset {
  return JSON.parse(value.toString('utf8')) as StoredOffset;
}

/** Where to resume from a stored offset: its transaction start, and what of it to skip. */
export function offsetPosition(offset: StoredOffset): BinlogPosition {
  return { file: offset.file, pos: offset.pos, gtids: offset.gtids, ...withinTransaction(offset) };
}

/** The non-zero skip counts: a position between transactions has none. */
function withinTransaction(position: { event?: number; row?: number }): { event?: number; row?: number } {
  return { ...(position.event ? { event: position.event } : {}), ...(position.row ? { row: position.row } : {}) };
}
