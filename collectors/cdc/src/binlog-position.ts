/** Where in the source's binlog a change sits; (file, pos, row) identifies one row change. */
export interface BinlogPosition {
  file: string;
  pos: number;
  /** MariaDB GTID position or MySQL GTID set of everything up to here, when known. */
  gtids: string | null;
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

/** The value stored in the offsets topic under the connector's key, as Kafka Connect does. */
export interface StoredOffset {
  file: string;
  pos: number;
  gtids: string | null;
  snapshot_completed: boolean;
  ts_sec: number;
}

export function offsetKey(serverName: string): Buffer {
  return Buffer.from(JSON.stringify(['tributary-cdc', { server: serverName }]));
}

export function encodeOffset(position: BinlogPosition, snapshotCompleted: boolean): Buffer {
  const value: StoredOffset = { file: position.file, pos: position.pos, gtids: position.gtids, snapshot_completed: snapshotCompleted, ts_sec: Math.floor(Date.now() / 1000) };
  return Buffer.from(JSON.stringify(value));
}

export function decodeOffset(value: Buffer): StoredOffset {
  return JSON.parse(value.toString('utf8')) as StoredOffset;
}
