import ZongJi from '@vlasky/zongji';
import type { BinlogPosition } from './binlog-position.ts';
import type { SourceAddress } from './config.ts';
import type { RawRow } from './change-event.ts';
import type { SchemaChange, SchemaRegistry } from './schema-registry.ts';
import { connectionOptions } from './source-connection.ts';
import type { TableDef } from './table-schema.ts';

/**
 * The rows of one binlog row event, or the rows left of it: `firstRow` numbers rows[0] within the
 * transaction, `event` numbers the row event within the transaction, `eventRow` rows[0] within it.
 */
export interface RowsItem {
  kind: 'rows';
  op: 'c' | 'u' | 'd';
  db: string;
  table: string;
  def: TableDef | undefined;
  rows: { before: RawRow | null; after: RawRow | null }[];
  file: string;
  pos: number;
  firstRow: number;
  event: number;
  eventRow: number;
  gtid: string | null;
  tsMs: number;
}

/** One step of the binlog as the connector needs it, in binlog order. */
export type BinlogItem =
  | RowsItem
  | { kind: 'ddl'; sql: string; db: string; change: SchemaChange; position: BinlogPosition; gtid: string | null; tsMs: number }
  | { kind: 'commit'; position: BinlogPosition; tsMs: number };

interface ZongJiInternals {
  tableMap: Record<number, { columnSchemas: unknown[]; parentSchema: string; tableName: string }>;
  _fetchTableInfo(event: { tableId: number; schemaName: string; tableName: string }, next: () => void): void;
}

/**
 * Decodes row images with the columns from the schema history instead of asking
 * INFORMATION_SCHEMA, which only knows today's columns: a row written before an ALTER must be
 * read with the table as it was then.
 */
class HistoricalZongJi extends ZongJi {
  registry!: SchemaRegistry;

  _fetchTableInfo(event: { tableId: number; schemaName: string; tableName: string }, next: () => void): void {
    const def = this.registry.get(event.schemaName, event.tableName);
    if (!def) {
      (ZongJi.prototype as unknown as ZongJiInternals)._fetchTableInfo.call(this, event, next);
      return;
    }
    (this as unknown as ZongJiInternals).tableMap[event.tableId] = {
      columnSchemas: def.columns.map((c) => ({
        COLUMN_NAME: c.name,
        COLUMN_TYPE: c.type,
        CHARACTER_SET_NAME: c.charset,
        COLLATION_NAME: null,
        COLUMN_COMMENT: '',
        ...(c.values && c.type.startsWith('enum') ? { ENUM_VALUES: c.values } : {}),
        ...(c.values && c.type.startsWith('set') ? { SET_VALUES: c.values } : {}),
      })),
      parentSchema: event.schemaName,
      tableName: event.tableName,
    };
    next();
  }
}

/** The item without its first `count` rows, numbered as they were. */
export function dropRows(item: RowsItem, count: number): RowsItem {
  return { ...item, rows: item.rows.slice(count), firstRow: item.firstRow + count, eventRow: item.eventRow + count };
}

const ROW_OPS: Record<string, 'c' | 'u' | 'd'> = { writerows: 'c', updaterows: 'u', deleterows: 'd' };

export interface BinlogReaderOptions {
  source: SourceAddress;
  serverId: number;
  start: BinlogPosition;
  registry: SchemaRegistry;
  includeSchema?: Record<string, string[] | true>;
  excludeSchema: Record<string, string[] | true>;
  onItem: (item: BinlogItem) => void;
  onError: (error: Error) => void;
}

/**
 * Streams the binlog from a position and cuts it into row changes, DDL and commits. Positions:
 * every change of a transaction carries the position where the transaction begins plus its row
 * number within it, which a resumed stream reproduces exactly, so replays can be recognised. A start
 * inside a transaction (`event`/`row` set) reads it from its beginning and passes over what the
 * position says was produced already.
 */
export class BinlogReader {
  private readonly zongji: HistoricalZongJi;
  private file: string;
  private lastEnd: number;
  private txnStart: number;
  private rowInTxn = 0;
  private eventInTxn = 0;
  private inTxn = false;
  /** Set until the transaction the start position lies in commits. */
  private resumeInside: { event: number; row: number } | null;

  constructor(private readonly options: BinlogReaderOptions) {
    this.zongji = new HistoricalZongJi(connectionOptions(options.source));
    this.zongji.registry = options.registry;
    this.file = options.start.file;
    this.lastEnd = options.start.pos;
    this.txnStart = options.start.pos;
    const { event = 0, row = 0 } = options.start;
    this.resumeInside = event > 0 || row > 0 ? { event, row } : null;
  }

  start(): void {
    this.zongji.on('binlog', (event) => {
      try {
        this.handle(event as unknown as Record<string, unknown> & { getEventName(): string; nextPosition: number; timestamp: number; gtid?: string });
      } catch (error) {
        this.options.onError(error as Error);
      }
    });
    this.zongji.on('error', (error) => this.options.onError(error));
    this.zongji.start({
      serverId: this.options.serverId,
      filename: this.options.start.file,
      position: this.options.start.pos,
      includeEvents: ['rotate', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'query', 'xid', 'gtid', 'mariadbgtid', 'heartbeat'],
      ...(this.options.includeSchema ? { includeSchema: this.options.includeSchema } : {}),
      excludeSchema: this.options.excludeSchema,
    });
  }

  pause(): void {
    this.zongji.connection?.pause();
  }

  resume(): void {
    this.zongji.connection?.resume();
  }

  stop(): void {
    this.zongji.removeAllListeners('binlog');
    this.zongji.removeAllListeners('error');
    this.zongji.on('error', () => undefined);
    this.zongji.stop();
  }

  private position(pos: number): BinlogPosition {
    return { file: this.file, pos, gtids: this.zongji.gtidSet ?? null };
  }

  private beginTxn(): void {
    this.inTxn = true;
    this.txnStart = this.lastEnd;
    this.rowInTxn = 0;
    this.eventInTxn = 0;
  }

  private commit(nextPosition: number, tsMs: number): void {
    this.inTxn = false;
    this.resumeInside = null;
    if (nextPosition > 0) this.lastEnd = nextPosition;
    this.options.onItem({ kind: 'commit', position: this.position(this.lastEnd), tsMs });
  }

  private handle(event: Record<string, unknown> & { getEventName(): string; nextPosition: number; timestamp: number; gtid?: string }): void {
    const name = event.getEventName();
    const tsMs = event.timestamp;
    switch (name) {
      case 'rotate': {
        this.file = String(event.binlogName);
        this.lastEnd = Number(event.position);
        this.txnStart = this.lastEnd;
        return;
      }
      case 'mariadbgtid':
      case 'gtid':
        this.beginTxn();
        return;
      case 'query': {
        const sql = String(event.query);
        const upper = sql.trim().toUpperCase();
        if (upper === 'BEGIN' || upper.startsWith('XA START')) {
          if (!this.inTxn) this.beginTxn();
          return;
        }
        if (upper === 'COMMIT' || upper.startsWith('XA COMMIT') || upper === 'ROLLBACK') {
          this.commit(event.nextPosition, tsMs);
          return;
        }
        const change = this.options.registry.apply(sql, String(event.schema ?? ''));
        if (change.isDdl) {
          // Table ids are reused after DDL on some servers; forget cached decoders so the next
          // TableMap takes the new columns.
          for (const id of Object.keys(this.zongji.tableMap)) delete this.zongji.tableMap[Number(id)];
          if (event.nextPosition > 0) this.lastEnd = event.nextPosition;
          this.inTxn = false;
          this.options.onItem({ kind: 'ddl', sql, db: String(event.schema ?? ''), change, position: this.position(this.lastEnd), gtid: event.gtid ?? null, tsMs });
          return;
        }
        if (!this.inTxn && event.nextPosition > 0) this.commit(event.nextPosition, tsMs);
        return;
      }
      case 'xid':
        this.commit(event.nextPosition, tsMs);
        return;
      case 'heartbeat':
        return;
      default: {
        const op = ROW_OPS[name];
        if (!op) return;
        if (!this.inTxn) this.beginTxn();
        const tableId = Number(event.tableId);
        const map = (event.tableMap as Record<number, { parentSchema: string; tableName: string }>)[tableId];
        if (!map) return;
        const raw = event.rows as RawRow[] | { before: RawRow; after: RawRow }[];
        const rows = raw.map((row) =>
          op === 'u' ? (row as { before: RawRow; after: RawRow }) : op === 'd' ? { before: row as RawRow, after: null } : { before: null, after: row as RawRow },
        );
        // The definition is taken now: later DDL in the queue must not change how this row reads.
        const def = this.options.registry.get(map.parentSchema, map.tableName);
        const item: RowsItem = { kind: 'rows', op, db: map.parentSchema, table: map.tableName, def, rows, file: this.file, pos: this.txnStart, firstRow: this.rowInTxn, event: this.eventInTxn, eventRow: 0, gtid: event.gtid ?? null, tsMs };
        this.rowInTxn += rows.length;
        this.eventInTxn++;
        const unproduced = this.unproduced(item);
        if (unproduced.rows.length > 0) this.options.onItem(unproduced);
      }
    }
  }

  private unproduced(item: RowsItem): RowsItem {
    const resume = this.resumeInside;
    if (!resume || item.event > resume.event) return item;
    return dropRows(item, item.event < resume.event ? item.rows.length : resume.row);
  }
}
