import { charsetOfCollation, isTextType, tableId, type ColumnDef, type TableDef } from './table-schema.ts';
import { splitTopLevel, tokenize, TokenCursor, type Token } from './sql-tokens.ts';

/** What one DDL statement did to the captured schema. */
export interface SchemaChange {
  /** Tables created or altered, with their definitions after the statement. */
  changed: TableDef[];
  /** Tables dropped, or renamed away (as db.table). */
  dropped: string[];
  truncated: string[];
  /** Whether the statement was DDL at all (BEGIN, COMMIT, SAVEPOINT... are not). */
  isDdl: boolean;
}

const TYPE_SYNONYMS: Record<string, string> = {
  integer: 'int', int4: 'int', int8: 'bigint', int1: 'tinyint', int2: 'smallint', int3: 'mediumint', middleint: 'mediumint',
  bool: 'tinyint', boolean: 'tinyint', dec: 'decimal', numeric: 'decimal', fixed: 'decimal', real: 'double',
  float8: 'double', float4: 'float', character: 'char', nchar: 'char', nvarchar: 'varchar', long: 'mediumtext',
};

/**
 * The schema of every captured table, advanced statement by statement through the binlog's DDL so
 * that each row image is decoded with the columns of its time (the server's INFORMATION_SCHEMA
 * only knows the present).
 */
export class SchemaRegistry {
  readonly tables = new Map<string, TableDef>();
  /** Default charset per database, for tables created without one. */
  readonly databaseCharsets = new Map<string, string>();
  serverCharset = 'utf8mb4';

  get(db: string, table: string): TableDef | undefined {
    return this.tables.get(tableId(db, table));
  }

  put(def: TableDef): void {
    this.tables.set(tableId(def.db, def.table), def);
  }

  /** Applies one statement as logged in a binlog Query event; `defaultDb` is the event's schema. */
  apply(sql: string, defaultDb: string): SchemaChange {
    const change: SchemaChange = { changed: [], dropped: [], truncated: [], isDdl: false };
    const cursor = new TokenCursor(tokenize(sql));
    if (cursor.accept('CREATE')) {
      change.isDdl = true;
      cursor.accept('OR', 'REPLACE');
      if (cursor.accept('DATABASE') || cursor.accept('SCHEMA')) return this.createDatabase(cursor, change);
      if (cursor.accept('TEMPORARY')) return change;
      if (!cursor.accept('TABLE')) return change;
      cursor.accept('IF', 'NOT', 'EXISTS');
      const { db, table } = cursor.qualifiedName(defaultDb);
      return this.createTable(cursor, db, table, change);
    }
    if (cursor.accept('ALTER')) {
      change.isDdl = true;
      cursor.accept('ONLINE');
      cursor.accept('IGNORE');
      if (!cursor.accept('TABLE')) return change;
      cursor.accept('IF', 'EXISTS');
      const { db, table } = cursor.qualifiedName(defaultDb);
      return this.alterTable(cursor, db, table, change);
    }
    if (cursor.accept('DROP')) {
      change.isDdl = true;
      if (cursor.accept('DATABASE') || cursor.accept('SCHEMA')) {
        cursor.accept('IF', 'EXISTS');
        const db = cursor.name();
        for (const [id, def] of this.tables) if (def.db === db) { this.tables.delete(id); change.dropped.push(id); }
        return change;
      }
      cursor.accept('TEMPORARY');
      if (!cursor.accept('TABLE')) return change;
      cursor.accept('IF', 'EXISTS');
      do {
        const { db, table } = cursor.qualifiedName(defaultDb);
        if (this.tables.delete(tableId(db, table))) change.dropped.push(tableId(db, table));
      } while (cursor.acceptPunct(','));
      return change;
    }
    if (cursor.accept('RENAME')) {
      change.isDdl = true;
      if (!cursor.accept('TABLE')) return change;
      do {
        const from = cursor.qualifiedName(defaultDb);
        cursor.accept('TO');
        const to = cursor.qualifiedName(defaultDb);
        this.rename(from.db, from.table, to.db, to.table, change);
      } while (cursor.acceptPunct(','));
      return change;
    }
    if (cursor.accept('TRUNCATE')) {
      change.isDdl = true;
      cursor.accept('TABLE');
      const { db, table } = cursor.qualifiedName(defaultDb);
      change.truncated.push(tableId(db, table));
      return change;
    }
    return change;
  }

  private createDatabase(cursor: TokenCursor, change: SchemaChange): SchemaChange {
    cursor.accept('IF', 'NOT', 'EXISTS');
    const db = cursor.name();
    const charset = readTableCharset(cursor.tokens.slice(cursor.index));
    this.databaseCharsets.set(db, charset ?? this.serverCharset);
    return change;
  }

  private createTable(cursor: TokenCursor, db: string, table: string, change: SchemaChange): SchemaChange {
    const like = cursor.accept('LIKE') || (cursor.isPunct('(') && cursor.isWord('LIKE', 1) && (cursor.next(), cursor.accept('LIKE')));
    if (like) {
      const source = cursor.qualifiedName(db);
      const original = this.get(source.db, source.table);
      if (original) {
        const copy: TableDef = { ...structuredClone(original), db, table };
        this.put(copy);
        change.changed.push(copy);
      }
      return change;
    }
    if (!cursor.acceptPunct('(')) return change;
    const body = cursor.parenthesized();
    const options = cursor.tokens.slice(cursor.index);
    const defaultCharset = readTableCharset(options) ?? this.databaseCharsets.get(db) ?? this.serverCharset;
    const def: TableDef = { db, table, columns: [], primaryKey: [], defaultCharset };
    for (const part of splitTopLevel(body)) {
      const item = new TokenCursor(part);
      if (readPrimaryKey(item, def)) continue;
      if (isIndexDefinition(item)) continue;
      const { column, primary } = parseColumn(item, defaultCharset);
      def.columns.push(column);
      if (primary) def.primaryKey = [column.name];
    }
    this.put(def);
    change.changed.push(def);
    return change;
  }

  private alterTable(cursor: TokenCursor, db: string, table: string, change: SchemaChange): SchemaChange {
    const current = this.get(db, table);
    if (!current) return change;
    let def: TableDef = structuredClone(current);
    for (const part of splitTopLevel(cursor.tokens.slice(cursor.index))) {
      const spec = new TokenCursor(part);
      if (spec.accept('ADD')) {
        if (readPrimaryKey(spec, def) || isIndexDefinition(spec) || spec.isWord('PARTITION')) continue;
        spec.accept('COLUMN');
        spec.accept('IF', 'NOT', 'EXISTS');
        if (spec.acceptPunct('(')) {
          for (const columnTokens of splitTopLevel(spec.parenthesized())) {
            def.columns.push(parseColumn(new TokenCursor(columnTokens), def.defaultCharset).column);
          }
          continue;
        }
        const { column, primary } = parseColumn(spec, def.defaultCharset);
        if (def.columns.some((c) => c.name.toLowerCase() === column.name.toLowerCase())) continue;
        placeColumn(def, column, spec, null);
        if (primary) def.primaryKey = [column.name];
        continue;
      }
      if (spec.accept('DROP')) {
        if (spec.accept('PRIMARY', 'KEY')) { def.primaryKey = []; continue; }
        if (['INDEX', 'KEY', 'FOREIGN', 'CONSTRAINT', 'CHECK', 'PARTITION', 'SYSTEM'].some((w) => spec.isWord(w))) continue;
        spec.accept('COLUMN');
        spec.accept('IF', 'EXISTS');
        const name = spec.name().toLowerCase();
        def.columns = def.columns.filter((c) => c.name.toLowerCase() !== name);
        def.primaryKey = def.primaryKey.filter((c) => c.toLowerCase() !== name);
        continue;
      }
      if (spec.accept('MODIFY')) {
        spec.accept('COLUMN');
        spec.accept('IF', 'EXISTS');
        const { column, primary } = parseColumn(spec, def.defaultCharset);
        placeColumn(def, column, spec, column.name);
        if (primary) def.primaryKey = [column.name];
        continue;
      }
      if (spec.accept('CHANGE')) {
        spec.accept('COLUMN');
        spec.accept('IF', 'EXISTS');
        const old = spec.name();
        const { column, primary } = parseColumn(spec, def.defaultCharset);
        placeColumn(def, column, spec, old);
        def.primaryKey = def.primaryKey.map((c) => (c.toLowerCase() === old.toLowerCase() ? column.name : c));
        if (primary) def.primaryKey = [column.name];
        continue;
      }
      if (spec.accept('RENAME')) {
        if (spec.accept('COLUMN')) {
          const old = spec.name();
          spec.accept('TO');
          const renamed = spec.name();
          for (const column of def.columns) if (column.name.toLowerCase() === old.toLowerCase()) column.name = renamed;
          def.primaryKey = def.primaryKey.map((c) => (c.toLowerCase() === old.toLowerCase() ? renamed : c));
          continue;
        }
        if (spec.isWord('INDEX') || spec.isWord('KEY')) continue;
        if (!spec.accept('TO')) spec.accept('AS');
        const to = spec.qualifiedName(def.db);
        this.tables.delete(tableId(def.db, def.table));
        change.dropped.push(tableId(def.db, def.table));
        def = { ...def, db: to.db, table: to.table };
        continue;
      }
      if (spec.accept('CONVERT', 'TO')) {
        const charset = readTableCharset(spec.tokens.slice(spec.index));
        if (charset) {
          def.defaultCharset = charset;
          for (const column of def.columns) if (column.charset !== null) column.charset = charset;
        }
        continue;
      }
      const charset = readTableCharset(part);
      if (charset && !spec.isWord('ALTER')) def.defaultCharset = charset;
    }
    this.put(def);
    change.changed.push(def);
    return change;
  }

  private rename(fromDb: string, fromTable: string, toDb: string, toTable: string, change: SchemaChange): void {
    const def = this.get(fromDb, fromTable);
    if (!def) return;
    this.tables.delete(tableId(fromDb, fromTable));
    change.dropped.push(tableId(fromDb, fromTable));
    const renamed = { ...def, db: toDb, table: toTable };
    this.put(renamed);
    change.changed.push(renamed);
  }
}

function placeColumn(def: TableDef, column: ColumnDef, spec: TokenCursor, replaces: string | null): void {
  const at = replaces === null ? -1 : def.columns.findIndex((c) => c.name.toLowerCase() === replaces.toLowerCase());
  if (at >= 0) def.columns.splice(at, 1);
  let position = at >= 0 ? at : def.columns.length;
  while (!spec.done()) {
    if (spec.accept('FIRST')) { position = 0; break; }
    if (spec.accept('AFTER')) {
      const after = spec.name().toLowerCase();
      position = def.columns.findIndex((c) => c.name.toLowerCase() === after) + 1;
      break;
    }
    spec.next();
  }
  def.columns.splice(position, 0, column);
}

/** PRIMARY KEY (a, b) with an optional CONSTRAINT name in front; fills def.primaryKey. */
function readPrimaryKey(cursor: TokenCursor, def: TableDef): boolean {
  const start = cursor.index;
  if (cursor.accept('CONSTRAINT') && !cursor.isWord('PRIMARY')) cursor.name();
  if (!cursor.accept('PRIMARY', 'KEY')) {
    cursor.index = start;
    return false;
  }
  while (!cursor.isPunct('(')) cursor.next();
  cursor.next();
  def.primaryKey = splitTopLevel(cursor.parenthesized()).map((tokens) => tokens[0]!.text);
  return true;
}

function isIndexDefinition(cursor: TokenCursor): boolean {
  return ['INDEX', 'KEY', 'UNIQUE', 'FULLTEXT', 'SPATIAL', 'FOREIGN', 'CONSTRAINT', 'CHECK', 'PERIOD'].some((w) => cursor.isWord(w));
}

/** [DEFAULT] CHARACTER SET [=] x, CHARSET [=] x or COLLATE [=] y among table options. */
function readTableCharset(tokens: Token[]): string | null {
  let collation: string | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i]!.kind === 'word' ? tokens[i]!.text.toUpperCase() : '';
    let valueAt = -1;
    if (word === 'CHARSET') valueAt = i + 1;
    else if (word === 'CHARACTER' && tokens[i + 1]?.text.toUpperCase() === 'SET') valueAt = i + 2;
    else if (word === 'COLLATE') {
      const at = tokens[i + 1]?.text === '=' ? i + 2 : i + 1;
      if (tokens[at]) collation = tokens[at]!.text;
      continue;
    }
    if (valueAt < 0) continue;
    if (tokens[valueAt]?.text === '=') valueAt++;
    const value = tokens[valueAt];
    if (value) return normaliseCharset(value.text);
  }
  return collation ? charsetOfCollation(collation) : null;
}

function normaliseCharset(name: string): string {
  const lower = name.toLowerCase();
  return lower === 'utf8mb3' ? 'utf8' : lower;
}

/** One column definition: name, type, and the attributes that change how its values decode. */
export function parseColumn(cursor: TokenCursor, tableCharset: string | null): { column: ColumnDef; primary: boolean } {
  const name = cursor.name();
  let word = cursor.name().toLowerCase();
  if (word === 'double' && cursor.accept('PRECISION')) word = 'double';
  else if ((word === 'character' || word === 'char') && cursor.accept('VARYING')) word = 'varchar';
  else if (word === 'national') word = cursor.name().toLowerCase() === 'varchar' ? 'varchar' : 'char';
  else if (word === 'long' && cursor.accept('VARBINARY')) word = 'mediumblob';
  else if (word === 'long' && cursor.accept('VARCHAR')) word = 'mediumtext';
  const bool = word === 'bool' || word === 'boolean';
  word = TYPE_SYNONYMS[word] ?? word;
  let args: Token[] | null = null;
  if (cursor.acceptPunct('(')) args = cursor.parenthesized();
  if (bool) args = [{ kind: 'number', text: '1' }];
  let unsigned = false;
  let charset: string | null = null;
  let collation: string | null = null;
  let primary = false;
  while (!cursor.done()) {
    if (cursor.accept('UNSIGNED') || cursor.accept('ZEROFILL')) { unsigned = true; continue; }
    if (cursor.accept('CHARACTER', 'SET') || cursor.accept('CHARSET')) { charset = normaliseCharset(cursor.name()); continue; }
    if (cursor.accept('COLLATE')) { collation = cursor.name(); continue; }
    if (cursor.accept('PRIMARY', 'KEY') || cursor.accept('PRIMARY')) { primary = true; continue; }
    if (cursor.acceptPunct('(')) { cursor.parenthesized(); continue; }
    if (cursor.isWord('FIRST') || cursor.isWord('AFTER')) break;
    cursor.next();
  }
  let values: string[] | undefined;
  let argText = '';
  if (args) {
    if (word === 'enum' || word === 'set') {
      values = args.filter((t) => t.kind === 'string').map((t) => t.text);
      argText = `(${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')})`;
    } else {
      argText = `(${args.map((t) => t.text).join('')})`;
    }
  }
  let type = word + argText;
  if (word === 'json') type = 'json';
  if (unsigned) type += ' unsigned';
  let columnCharset: string | null = null;
  if (isTextType(type)) columnCharset = word === 'json' ? 'utf8mb4' : charset ?? (collation ? charsetOfCollation(collation) : null) ?? tableCharset ?? 'utf8mb4';
  const column: ColumnDef = { name, type, charset: columnCharset };
  if (values) column.values = values;
  return { column, primary };
}
