// Writes generated rows to Parquet through DuckDB (COPY ... TO ... (FORMAT parquet)).
// Files appear atomically: written under a hidden name, then renamed, so a watcher never reads half a file.

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { quoteIdent as quote, quoteLiteral as literal } from '../../sql/quote.ts';
import type { RawColumn, RawRow } from './schema.ts';

export class ParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(): Promise<ParquetWriter> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return new ParquetWriter(instance, await instance.connect());
  }

  /** Writes `rows` with exactly `columns` (in that order) to `path`; returns the row count. */
  async write(path: string, columns: readonly RawColumn[], rows: readonly RawRow[]): Promise<number> {
    // Stage as plain types; DATE columns are staged as text and cast on the way out.
    const staged = columns.map((c) => `${quote(c.name)} ${c.type === 'DATE' ? 'VARCHAR' : c.type}`).join(', ');
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
    const select = columns.map((c) => (c.type === 'DATE' ? `CAST(${quote(c.name)} AS DATE) AS ${quote(c.name)}` : quote(c.name))).join(', ');
    await this.copyAtomically(`SELECT ${select} FROM sim_rows`, path);
    await this.connection.run('DROP TABLE sim_rows');
    return rows.length;
  }

  /** Writes bytes that carry a `.parquet` name but are not Parquet: what a truncated upload leaves behind. */
  writeCorrupt(path: string, bytes: Uint8Array): void {
    mkdirSync(dirname(path), { recursive: true });
    const hidden = hiddenName(path);
    writeFileSync(hidden, bytes);
    renameSync(hidden, path);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async copyAtomically(select: string, path: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    const hidden = hiddenName(path);
    await this.connection.run(`COPY (${select}) TO ${literal(hidden)} (FORMAT parquet)`);
    renameSync(hidden, path);
  }
}

function hiddenName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

function append(appender: DuckDBAppender, column: RawColumn, value: string | number | null): void {
  if (value === null) return appender.appendNull();
  switch (column.type) {
    case 'INTEGER':
      return appender.appendInteger(Number(value));
    case 'DOUBLE':
      return appender.appendDouble(Number(value));
    default:
      return appender.appendVarchar(String(value));
  }
}
