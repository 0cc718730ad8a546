import type { CdcConfig } from './config.ts';

const SYSTEM_DATABASES = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);

/** Which databases, tables and columns reach the topics, from the include/exclude lists. */
export class CaptureFilter {
  private readonly excludedColumns: Set<string>;
  private readonly maskedColumns: Set<string>;

  constructor(private readonly config: Pick<CdcConfig, 'databaseInclude' | 'databaseExclude' | 'tableInclude' | 'tableExclude' | 'columnExclude' | 'columnMask'>) {
    this.excludedColumns = new Set(config.columnExclude);
    this.maskedColumns = new Set(config.columnMask);
  }

  includesDatabase(db: string): boolean {
    if (SYSTEM_DATABASES.has(db) || this.config.databaseExclude.includes(db)) return false;
    if (this.config.databaseInclude.length > 0) return this.config.databaseInclude.includes(db);
    if (this.config.tableInclude.length > 0) return this.config.tableInclude.some((t) => t.startsWith(`${db}.`));
    return true;
  }

  includesTable(db: string, table: string): boolean {
    if (!this.includesDatabase(db)) return false;
    const id = `${db}.${table}`;
    if (this.config.tableExclude.includes(id)) return false;
    return this.config.tableInclude.length === 0 || this.config.tableInclude.includes(id);
  }

  columnExcluded(db: string, table: string, column: string): boolean {
    return this.excludedColumns.has(`${db}.${table}.${column}`);
  }

  columnMasked(db: string, table: string, column: string): boolean {
    return this.maskedColumns.has(`${db}.${table}.${column}`);
  }
}
