// Writes rows to Parquet through DuckDB (COPY ... TO ... (FORMAT parquet)), for simulators that fill a landing
// folder. Files appear atomically: written under a hidden name, then renamed, so a watcher never reads half a file.
// DuckDB is loaded when a writer is opened, so bundles that import this stay quick to load.
import type { DuckDBAppender, DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { quoteIdent as quote, quoteLiteral as literal } from '../sql/quote.ts';

/** Column types a landing file can carry: DuckDB's names, written to Parquet's matching types. */
export type ParquetColumnType = 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR' | 'DATE' | 'TIMESTAMP';

export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
}

/** A row by column name; dates and timestamps as ISO text, missing values as null. */
export type ParquetRow = Readonly<Record<string, string | number | boolean | null | undefined>>;

export class ParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<ParquetWriter> {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return new ParquetWriter(instance, await instance.connect());
  }

  /** Writes `rows` with exactly `columns` (in that order) to `path`; returns the row count. */
  async write(path: string, columns: readonly ParquetColumn[], rows: readonly ParquetRow[]): Promise<number> {
    // Stage as plain types; dates and timestamps are staged as text and cast on the way out.
    const staged = columns.map((c) => `${quote(c.name)} ${isTemporal(c) ? 'VARCHAR' : c.type}`).join(', ');
    await this.connection.run(`CREATE OR REPLACE TEMP TABLE sim_rows (${staged})`);
    const appender = await this.connection.createAppender('sim_rows', 'main', 'temp');
    try {
      for (const row of rows) {
        for (const column of columns) append(appender, column, row[column.name] ?? null);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const select = columns.map((c) => (isTemporal(c) ? `CAST(${quote(c.name)} AS ${c.type}) AS ${quote(c.name)}` : quote(c.name))).join(', ');
    await this.copyAtomically(`SELECT ${select} FROM sim_rows`, path);
    await this.connection.run('DROP TABLE sim_rows');
    return rows.length;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async copyAtomically(select: string, path: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    const hidden = join(dirname(path), `.${basename(path)}.tmp`);
    await this.connection.run(`COPY (${select}) TO ${literal(hidden)} (FORMAT parquet)`);
    renameSync(hidden, path);
  }
}

function isTemporal(column: ParquetColumn): boolean {
  return column.type === 'DATE' || column.type === 'TIMESTAMP';
}

function append(appender: DuckDBAppender, column: ParquetColumn, value: string | number | boolean | null): void {
  if (value === null) return appender.appendNull();
  switch (column.type) {
    case 'INTEGER':
      return appender.appendInteger(Number(value));
    case 'BIGINT':
      return appender.appendBigInt(BigInt(value));
    case 'DOUBLE':
      return appender.appendDouble(Number(value));
    case 'BOOLEAN':
      return appender.appendBoolean(Boolean(value));
    default:
      return appender.appendVarchar(String(value));
  }
}
