import type mysql from 'mysql2/promise';
import type { BinlogPosition } from './binlog-position.ts';
import type { CaptureFilter } from './filters.ts';
import type { SchemaRegistry } from './schema-registry.ts';
import { charsetOfCollation, type ColumnDef, type TableDef } from './table-schema.ts';

const quote = (name: string) => `\`${name.replace(/`/g, '``')}\``;

export interface SnapshotTable {
  def: TableDef;
  ddl: string;
  estimatedRows: number;
}

/**
 * A consistent read of the captured tables and the binlog position it corresponds to, so that
 * streaming can start exactly there: no change missed, none seen twice.
 *
 * MariaDB reports the binlog position of a consistent snapshot itself (binlog_snapshot_file /
 * binlog_snapshot_position), so it needs no lock at all. MySQL has no such status; there the
 * position is read under FLUSH TABLES WITH READ LOCK held only while the snapshot starts.
 */
export class ConsistentSnapshot {
  constructor(private readonly connection: mysql.Connection, private readonly isMariaDb: boolean) {}

  async begin(): Promise<BinlogPosition> {
    await this.connection.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    if (this.isMariaDb) {
      await this.connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const [rows] = await this.connection.query("SHOW STATUS LIKE 'binlog_snapshot_%'");
      const status = new Map((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name.toLowerCase(), r.Value]));
      return { file: status.get('binlog_snapshot_file')!, pos: Number(status.get('binlog_snapshot_position')), gtids: null };
    }
    await this.connection.query('FLUSH TABLES WITH READ LOCK');
    try {
      await this.connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const [rows] = await this.connection.query('SHOW MASTER STATUS');
      const status = (rows as Record<string, unknown>[])[0];
      if (!status) throw new Error('SHOW MASTER STATUS returned nothing: is the binary log on?');
      const gtids = typeof status.Executed_Gtid_Set === 'string' && status.Executed_Gtid_Set !== '' ? status.Executed_Gtid_Set.replace(/\s/g, '') : null;
      return { file: String(status.File), pos: Number(status.Position), gtids };
    } finally {
      await this.connection.query('UNLOCK TABLES');
    }
  }

  /** Fills the registry with every table on the server and returns the captured ones. */
  async loadSchema(registry: SchemaRegistry, filter: CaptureFilter): Promise<SnapshotTable[]> {
    const [serverRows] = await this.connection.query('SELECT @@character_set_server AS cs');
    registry.serverCharset = String((serverRows as { cs: string }[])[0]!.cs);
    const [schemata] = await this.connection.query('SELECT SCHEMA_NAME AS db, DEFAULT_CHARACTER_SET_NAME AS cs FROM information_schema.SCHEMATA');
    for (const row of schemata as { db: string; cs: string }[]) registry.databaseCharsets.set(row.db, row.cs);
    const [tableRows] = await this.connection.query(
      "SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name, TABLE_COLLATION AS collation, TABLE_ROWS AS estimate FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME",
    );
    const [columnRows] = await this.connection.query(
      'SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name, COLUMN_NAME AS col, COLUMN_TYPE AS type, CHARACTER_SET_NAME AS cs FROM information_schema.COLUMNS ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION',
    );
    const [keyRows] = await this.connection.query(
      "SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name, COLUMN_NAME AS col FROM information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_NAME = 'PRIMARY' ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
    );
    const columns = new Map<string, ColumnDef[]>();
    for (const row of columnRows as { db: string; name: string; col: string; type: string; cs: string | null }[]) {
      const id = `${row.db}.${row.name}`;
      const column: ColumnDef = { name: row.col, type: String(row.type).toLowerCase(), charset: row.cs };
      const members = /^(enum|set)\((.*)\)$/s.exec(column.type);
      if (members) column.values = [...members[2]!.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"));
      (columns.get(id) ?? columns.set(id, []).get(id)!).push(column);
    }
    const keys = new Map<string, string[]>();
    for (const row of keyRows as { db: string; name: string; col: string }[]) {
      const id = `${row.db}.${row.name}`;
      (keys.get(id) ?? keys.set(id, []).get(id)!).push(row.col);
    }
    const captured: SnapshotTable[] = [];
    for (const row of tableRows as { db: string; name: string; collation: string | null; estimate: number | null }[]) {
      const id = `${row.db}.${row.name}`;
      const def: TableDef = {
        db: row.db,
        table: row.name,
        columns: columns.get(id) ?? [],
        primaryKey: keys.get(id) ?? [],
        defaultCharset: row.collation ? charsetOfCollation(row.collation) : null,
      };
      registry.put(def);
      if (!filter.includesTable(row.db, row.name)) continue;
      const [create] = await this.connection.query(`SHOW CREATE TABLE ${quote(row.db)}.${quote(row.name)}`);
      captured.push({ def, ddl: String(Object.values((create as Record<string, string>[])[0]!)[1]), estimatedRows: Number(row.estimate ?? 0) });
    }
    return captured;
  }

  /**
   * Reads a table in primary key order, chunk by chunk, so that a large table never sits in
   * memory. The binary protocol (prepared statements) is used because the text protocol prints
   * FLOAT with six digits only.
   */
  async readTable(def: TableDef, keyColumns: string[], fetchSize: number, onChunk: (rows: Record<string, unknown>[]) => Promise<void>): Promise<void> {
    const table = `${quote(def.db)}.${quote(def.table)}`;
    const select = def.columns.map((c) => quote(c.name)).join(', ');
    if (keyColumns.length === 0 || def.primaryKey.length === 0) {
      for (let offset = 0; ; offset += fetchSize) {
        const [rows] = await this.connection.execute(`SELECT ${select} FROM ${table} LIMIT ${offset}, ${fetchSize}`);
        const list = rows as Record<string, unknown>[];
        if (list.length > 0) await onChunk(list);
        if (list.length < fetchSize) return;
      }
    }
    const key = def.primaryKey.map(quote);
    const order = key.join(', ');
    let last: unknown[] | null = null;
    for (;;) {
      const where = last ? `WHERE (${order}) > (${key.map(() => '?').join(', ')})` : '';
      const [rows] = await this.connection.execute(`SELECT ${select} FROM ${table} ${where} ORDER BY ${order} LIMIT ${fetchSize}`, (last ?? []) as never);
      const list = rows as Record<string, unknown>[];
      if (list.length > 0) await onChunk(list);
      if (list.length < fetchSize) return;
      const tail = list[list.length - 1]!;
      last = def.primaryKey.map((name) => tail[name]);
    }
  }

  async end(): Promise<void> {
    await this.connection.query('COMMIT');
  }
}
