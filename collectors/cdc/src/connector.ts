import type { Logger } from '@tributary/common';
import { BinlogReader, dropRows, type BinlogItem, type RowsItem } from './binlog-reader.ts';
import { decodeOffset, encodeOffset, offsetKey, offsetPosition, type BinlogPosition, type StoredOffset } from './binlog-position.ts';
import { changeRecords, topicName, type SourceInfo } from './change-event.ts';
import type { CdcConfig } from './config.ts';
import { CaptureFilter } from './filters.ts';
import { writeJson } from './json-writer.ts';
import { KafkaIo, type OutRecord } from './kafka-io.ts';
import { SchemaRegistry } from './schema-registry.ts';
import { decodeHistory, encodeHistory, replayHistory, type HistoryRecord } from './schema-history.ts';
import { ConsistentSnapshot } from './snapshot.ts';
import { checkSource, connectChecked } from './source-checks.ts';
import { tableId, type TableDef } from './table-schema.ts';

export interface ConnectorStatus {
  server: string;
  phase: 'starting' | 'snapshot' | 'streaming' | 'reconnecting' | 'stopped';
  position: BinlogPosition | null;
  storedPosition: BinlogPosition | null;
  lagSeconds: number | null;
  rowsPerSecond: number;
  rowsTotal: number;
  snapshot: { table: string | null; rowsDone: number; rowsEstimated: number; tablesDone: number; tables: number } | null;
  reconnects: number;
}

/** Queue depth (binlog items) above which the binlog connection is paused until the broker catches up. */
const HIGH_WATER = 20_000;

/**
 * The CDC connector: checks the source, snapshots when needed, then streams the binlog into one
 * topic per table. Its stored position only ever names changes the broker has acknowledged, down
 * to the row within a transaction, so a clean stop repeats nothing, and a crash repeats at most the
 * changes produced after it (same source.file/pos/row, which a consumer can use to drop them) and
 * never loses one.
 */
export class CdcConnector {
  private readonly kafka: KafkaIo;
  private readonly filter: CaptureFilter;
  private readonly registry = new SchemaRegistry();
  private history: HistoryRecord[] = [];
  private reader: BinlogReader | null = null;
  private queue: BinlogItem[] = [];
  private wake: (() => void) | null = null;
  private paused = false;
  private stopped = false;
  private acked: BinlogPosition | null = null;
  private stored: BinlogPosition | null = null;
  private lastEventMs = 0;
  private rowsTotal = 0;
  private rateWindow: { at: number; rows: number }[] = [];
  private heartbeat: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private backoffMs: number;
  private failure: Error | null = null;
  private readonly status: ConnectorStatus;

  constructor(private readonly config: CdcConfig, private readonly log: Logger) {
    this.kafka = new KafkaIo(config.bootstrapServers, `tributary-cdc-${config.serverName}`, config.exactlyOnce ? `tributary-cdc-${config.serverName}` : null);
    this.filter = new CaptureFilter(config);
    this.backoffMs = config.reconnectBackoffMs;
    this.status = { server: config.serverName, phase: 'starting', position: null, storedPosition: null, lagSeconds: null, rowsPerSecond: 0, rowsTotal: 0, snapshot: null, reconnects: 0 };
  }

  /** Resolves once streaming has begun; rejects with SourceConfigError on a source that cannot be captured. */
  async start(): Promise<void> {
    try {
      await this.begin();
    } catch (error) {
      await this.kafka.close();
      throw error;
    }
  }

  private async begin(): Promise<void> {
    const connection = await connectChecked(this.config.source);
    let isMariaDb: boolean;
    let start: BinlogPosition;
    try {
      ({ isMariaDb } = await checkSource(connection, this.config.source.user));
      await this.kafka.ensureTopic(this.config.offsetsTopic, true);
      await this.kafka.ensureTopic(this.config.historyTopic, false);
      const offset = await this.readStoredOffset();
      this.history = (await this.kafka.readAll(this.config.historyTopic)).filter((r) => r.value).map((r) => decodeHistory(r.value!)).filter((h) => h.server === this.config.serverName);
      const [logs] = await connection.query('SHOW BINARY LOGS');
      const available = new Set((logs as { Log_name: string }[]).map((l) => l.Log_name));
      const mode = this.config.snapshotMode;
      const offsetUsable = offset !== null && offset.snapshot_completed && available.has(offset.file);
      if (offset && offset.snapshot_completed && !available.has(offset.file) && mode !== 'when_needed') {
        throw new Error(`the stored position ${offset.file}:${offset.pos} is no longer in the source's binlog; restart with snapshot.mode=when_needed to take a new snapshot`);
      }
      if (offsetUsable) {
        start = offsetPosition(offset);
        replayHistory(this.registry, this.history, start);
        this.log.info({ position: start, tables: this.registry.tables.size }, 'resuming from the stored position');
      } else {
        start = await this.snapshot(connection, isMariaDb, mode === 'initial' || mode === 'when_needed');
      }
    } finally {
      await connection.end().catch(() => undefined);
    }
    this.acked = start;
    this.stored = start;
    this.status.storedPosition = start;
    this.status.position = start;
    this.status.phase = 'streaming';
    this.startReader(start);
    this.loop = this.runSender();
    this.heartbeat = setInterval(() => void this.flushOffset().catch((error) => this.log.warn({ err: error }, 'storing the position failed')), this.config.heartbeatIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.reader?.stop();
    this.wake?.();
    await this.loop?.catch(() => undefined);
    await this.flushOffset().catch(() => undefined);
    await this.kafka.close();
    this.status.phase = 'stopped';
  }

  /** Rejects when the connector fails for good (not for the source going away, which it rides out). */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async readStoredOffset(): Promise<StoredOffset | null> {
    const key = offsetKey(this.config.serverName);
    let latest: StoredOffset | null = null;
    for (const record of await this.kafka.readAll(this.config.offsetsTopic)) {
      if (record.key && record.key.equals(key)) latest = record.value ? decodeOffset(record.value) : null;
    }
    return latest;
  }

  private async snapshot(connection: Awaited<ReturnType<typeof connectChecked>>, isMariaDb: boolean, withRows: boolean): Promise<BinlogPosition> {
    this.status.phase = 'snapshot';
    const snapshot = new ConsistentSnapshot(connection, isMariaDb);
    const position = await snapshot.begin();
    const tables = await snapshot.loadSchema(this.registry, this.filter);
    const databaseCharsets = Object.fromEntries(this.registry.databaseCharsets);
    const records: HistoryRecord[] = [{ server: this.config.serverName, position, reset: true, databaseName: '', ddl: '', tableChanges: [], databaseCharsets, serverCharset: this.registry.serverCharset }];
    for (const table of tables) {
      records.push({ server: this.config.serverName, position, databaseName: table.def.db, ddl: table.ddl, tableChanges: [{ type: 'CREATE', id: tableId(table.def.db, table.def.table), table: table.def }] });
    }
    await this.writeHistory(records);
    this.log.info({ position, tables: tables.length, withRows }, 'snapshot started');
    const progress = { table: null as string | null, rowsDone: 0, rowsEstimated: tables.reduce((n, t) => n + t.estimatedRows, 0), tablesDone: 0, tables: tables.length };
    this.status.snapshot = progress;
    if (withRows) {
      let pending: { def: TableDef; row: Record<string, unknown> } | null = null;
      const emit = async (last: boolean) => {
        if (!pending) return;
        const { def, row } = pending;
        pending = null;
        await this.kafka.send(this.snapshotRecords(def, row, position, last));
      };
      for (const table of tables) {
        progress.table = tableId(table.def.db, table.def.table);
        const topic = topicName(this.config.serverName, table.def.db, table.def.table);
        await this.kafka.ensureTopic(topic, false);
        await snapshot.readTable(table.def, this.keyColumns(table.def), this.config.snapshotFetchSize, async (rows) => {
          await emit(false);
          const out: OutRecord[] = [];
          for (let i = 0; i < rows.length - 1; i++) out.push(...this.snapshotRecords(table.def, rows[i]!, position, false));
          // The last row is held back so that the snapshot's final event can say snapshot=last.
          pending = { def: table.def, row: rows[rows.length - 1]! };
          await this.kafka.send(out);
          progress.rowsDone += rows.length;
          this.countRows(rows.length);
          this.reportProgress(progress);
        });
        progress.tablesDone++;
      }
      await emit(true);
    }
    await snapshot.end();
    progress.table = null;
    await this.kafka.send([this.offsetRecord(position)]);
    this.log.info({ position, rows: progress.rowsDone }, 'snapshot completed');
    return position;
  }

  private snapshotRecords(def: TableDef, row: Record<string, unknown>, position: BinlogPosition, last: boolean): OutRecord[] {
    const source: SourceInfo = { name: this.config.serverName, serverId: 0, tsMs: Date.now(), db: def.db, table: def.table, file: position.file, pos: position.pos, row: 0, gtid: null, snapshot: last ? 'last' : 'true' };
    return changeRecords({ def, keyColumns: this.keyColumns(def), filter: this.filter, op: 'r', before: null, after: row, source, topic: topicName(this.config.serverName, def.db, def.table) });
  }

  private keyColumns(def: TableDef): string[] {
    return def.primaryKey.length > 0 ? def.primaryKey : this.config.messageKeyColumns.get(tableId(def.db, def.table)) ?? [];
  }

  private zongjiFilters(): { includeSchema?: Record<string, string[] | true>; excludeSchema: Record<string, string[] | true> } {
    const excludeSchema: Record<string, string[] | true> = { mysql: true, information_schema: true, performance_schema: true, sys: true };
    for (const db of this.config.databaseExclude) excludeSchema[db] = true;
    for (const id of this.config.tableExclude) {
      const [db, table] = [id.slice(0, id.indexOf('.')), id.slice(id.indexOf('.') + 1)];
      if (excludeSchema[db] !== true) excludeSchema[db] = [...((excludeSchema[db] as string[] | undefined) ?? []), table];
    }
    if (this.config.databaseInclude.length === 0 && this.config.tableInclude.length === 0) return { excludeSchema };
    const includeSchema: Record<string, string[] | true> = {};
    for (const db of this.config.databaseInclude) includeSchema[db] = true;
    for (const id of this.config.tableInclude) {
      const [db, table] = [id.slice(0, id.indexOf('.')), id.slice(id.indexOf('.') + 1)];
      if (includeSchema[db] !== true) includeSchema[db] = [...((includeSchema[db] as string[] | undefined) ?? []), table];
    }
    return { includeSchema, excludeSchema };
  }

  private startReader(from: BinlogPosition): void {
    replayHistory(this.registry, this.history, from);
    this.reader = new BinlogReader({
      source: this.config.source,
      serverId: this.config.serverId,
      start: from,
      registry: this.registry,
      ...this.zongjiFilters(),
      onItem: (item) => {
        this.queue.push(item);
        if (!this.paused && this.queue.length > HIGH_WATER) {
          this.paused = true;
          this.reader?.pause();
        }
        this.wake?.();
      },
      onError: (error) => void this.reconnect(error),
    });
    this.reader.start();
  }

  private reconnecting = false;

  /** Restarts the binlog stream from the last acknowledged transaction after a growing pause. */
  private async reconnect(error: Error): Promise<void> {
    if (this.reconnecting || this.stopped) return;
    this.reconnecting = true;
    this.status.phase = 'reconnecting';
    this.status.reconnects++;
    this.log.warn({ err: error.message, retryInMs: this.backoffMs }, 'binlog stream failed; reconnecting');
    this.reader?.stop();
    this.reader = null;
    await new Promise((resolve) => setTimeout(resolve, this.backoffMs));
    this.backoffMs = Math.min(this.backoffMs * 2, this.config.reconnectBackoffMaxMs);
    // Items not yet produced are read again from the acknowledged position.
    await this.drainSender();
    this.queue = [];
    this.paused = false;
    if (this.stopped) return;
    this.reconnecting = false;
    this.status.phase = 'streaming';
    this.startReader(this.acked!);
  }

  private sending: Promise<void> | null = null;

  private async drainSender(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async runSender(): Promise<void> {
    while (!this.stopped) {
      if (this.queue.length === 0 || this.reconnecting) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 200);
        });
        this.wake = null;
        continue;
      }
      const work = this.sendSome();
      this.sending = work;
      try {
        await work;
        this.backoffMs = this.config.reconnectBackoffMs;
      } catch (error) {
        this.failure = error as Error;
        this.log.error({ err: error }, 'producing change events failed; retrying from the acknowledged position');
        this.sending = null;
        void this.reconnect(error as Error);
        continue;
      }
      this.sending = null;
      if (this.paused && this.queue.length < HIGH_WATER / 2) {
        this.paused = false;
        this.reader?.resume();
      }
    }
  }

  /** Produces queued items up to one batch, then advances the acknowledged position. */
  private async sendSome(): Promise<void> {
    const records: OutRecord[] = [];
    let position: BinlogPosition | null = null;
    let taken = 0;
    let rest: RowsItem | null = null;
    while (taken < this.queue.length && records.length < this.config.maxBatchSize) {
      const item = this.queue[taken]!;
      if (item.kind === 'ddl') {
        if (records.length > 0) break;
        taken++;
        await this.handleDdl(item);
        position = item.position;
        break;
      }
      taken++;
      this.lastEventMs = item.tsMs;
      if (item.kind === 'commit') {
        position = item.position;
        continue;
      }
      const used = await this.addRowRecords(item, records);
      position = this.insideTransaction(item, used, position ?? this.acked!);
      if (used < item.rows.length) {
        rest = dropRows(item, used);
        break;
      }
    }
    // Exactly once: the position rides in the events' transaction, so they are stored together or not at all.
    const withPosition = this.config.exactlyOnce && position !== null && records.length > 0;
    if (withPosition) records.push(this.offsetRecord(position!));
    await this.kafka.send(records);
    this.queue.splice(0, taken, ...(rest ? [rest] : []));
    if (position) {
      this.acked = position;
      this.status.position = position;
      if (withPosition) this.markStored(position);
      else if (records.length > 0) await this.flushOffset();
    }
  }

  /** Adds the change events of the item's rows while the batch has room; returns how many rows it took. */
  private async addRowRecords(item: RowsItem, records: OutRecord[]): Promise<number> {
    const def = item.def;
    if (!def || !this.filter.includesTable(item.db, item.table)) return item.rows.length;
    const topic = topicName(this.config.serverName, item.db, item.table);
    await this.kafka.ensureTopic(topic, false);
    let used = 0;
    for (; used < item.rows.length && records.length < this.config.maxBatchSize; used++) {
      const { before, after } = item.rows[used]!;
      const source: SourceInfo = { name: this.config.serverName, serverId: this.config.serverId, tsMs: item.tsMs, db: item.db, table: item.table, file: item.file, pos: item.pos, row: item.firstRow + used, gtid: item.gtid, snapshot: 'false' };
      records.push(...changeRecords({ def, keyColumns: this.keyColumns(def), filter: this.filter, op: item.op, before, after, source, topic }));
    }
    this.countRows(used);
    return used;
  }

  /**
   * The position after the first `used` rows of the item: a batch may end inside a transaction, even
   * inside a row event, and a restart from here must pass over exactly what was produced.
   */
  private insideTransaction(item: RowsItem, used: number, previous: BinlogPosition): BinlogPosition {
    const within = used === item.rows.length ? { event: item.event + 1 } : { event: item.event, row: item.eventRow + used };
    return { file: item.file, pos: item.pos, gtids: previous.gtids, ...within };
  }

  private async handleDdl(item: Extract<BinlogItem, { kind: 'ddl' }>): Promise<void> {
    const { change } = item;
    const touched = [...change.changed.map((d) => tableId(d.db, d.table)), ...change.dropped, ...change.truncated];
    if (!touched.some((id) => this.filter.includesTable(id.slice(0, id.indexOf('.')), id.slice(id.indexOf('.') + 1)))) return;
    const record: HistoryRecord = {
      server: this.config.serverName,
      position: item.position,
      databaseName: item.db,
      ddl: item.sql,
      tableChanges: [
        ...change.dropped.map((id) => ({ type: 'DROP' as const, id, table: null })),
        ...change.changed.map((def) => ({ type: 'ALTER' as const, id: tableId(def.db, def.table), table: def })),
      ],
    };
    await this.writeHistory([record]);
    const value = writeJson({
      source: { version: '0.1.0', connector: 'mysql', name: this.config.serverName, ts_ms: item.tsMs, db: item.db, server_id: this.config.serverId, gtid: item.gtid, file: item.position.file, pos: item.position.pos, snapshot: 'false' },
      databaseName: item.db,
      ddl: item.sql,
      tableChanges: record.tableChanges.map((t) => ({ type: t.type, id: t.id, table: t.table ? { primaryKeyColumnNames: t.table.primaryKey, columns: t.table.columns.map((c) => ({ name: c.name, typeName: c.type, charsetName: c.charset })) } : null })),
    });
    await this.kafka.ensureTopic(this.config.serverName, false);
    await this.kafka.send([{ topic: this.config.serverName, key: Buffer.from(writeJson({ databaseName: item.db })), value: Buffer.from(value) }]);
  }

  private async writeHistory(records: HistoryRecord[]): Promise<void> {
    await this.kafka.send(records.map((r) => ({ topic: this.config.historyTopic, key: null, value: encodeHistory(r) })));
    this.history.push(...records);
  }

  private async flushOffset(): Promise<void> {
    const acked = this.acked;
    // Positions are replaced, never changed in place: the same object means nothing moved.
    if (!acked || acked === this.stored) return;
    await this.kafka.send([this.offsetRecord(acked)]);
    this.markStored(acked);
  }

  private offsetRecord(position: BinlogPosition): OutRecord {
    return { topic: this.config.offsetsTopic, key: offsetKey(this.config.serverName), value: encodeOffset(position, true) };
  }

  private markStored(position: BinlogPosition): void {
    this.stored = position;
    this.status.storedPosition = position;
  }

  private lastProgressLog = 0;

  /** The snapshot's progress bar: a log line at most every two seconds. */
  private reportProgress(progress: NonNullable<ConnectorStatus['snapshot']>): void {
    const now = Date.now();
    if (now - this.lastProgressLog < 2000) return;
    this.lastProgressLog = now;
    const total = Math.max(progress.rowsEstimated, progress.rowsDone);
    const ratio = total > 0 ? progress.rowsDone / total : 1;
    const bar = `[${'#'.repeat(Math.round(ratio * 20)).padEnd(20, '.')}]`;
    this.log.info({ table: progress.table, rowsDone: progress.rowsDone, rowsEstimated: progress.rowsEstimated, tablesDone: progress.tablesDone, tables: progress.tables }, `snapshot ${bar} ${Math.round(ratio * 100)}%`);
  }

  private countRows(rows: number): void {
    this.rowsTotal += rows;
    const now = Date.now();
    this.rateWindow.push({ at: now, rows });
    while (this.rateWindow.length > 0 && this.rateWindow[0]!.at < now - 10_000) this.rateWindow.shift();
  }

  currentStatus(): ConnectorStatus {
    const now = Date.now();
    const windowRows = this.rateWindow.filter((w) => w.at >= now - 10_000).reduce((n, w) => n + w.rows, 0);
    this.status.rowsPerSecond = Math.round(windowRows / 10);
    this.status.rowsTotal = this.rowsTotal;
    this.status.lagSeconds = this.lastEventMs > 0 && this.queue.length > 0 ? Math.max(0, (now - this.lastEventMs) / 1000) : this.lastEventMs > 0 ? 0 : null;
    return { ...this.status, snapshot: this.status.snapshot ? { ...this.status.snapshot } : null };
  }

  get lastFailure(): Error | null {
    return this.failure;
  }
}
