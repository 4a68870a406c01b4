// The engine's one door to DuckDB: statements, counts and small result sets, each optionally traced as a debug event.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { EventSink } from '../../events/types.ts';
import { rowValueConverter } from '../../sql/duckdb-values.ts';

export type Row = Record<string, unknown>;

export class Executor {
  constructor(
    readonly connection: DuckDBConnection,
    private readonly trace?: EventSink,
  ) {}

  async run(sql: string): Promise<void> {
    this.log(sql);
    await this.connection.run(sql);
  }

  /** Rows inserted, updated or deleted (or created, for CREATE TABLE AS) by one statement. */
  async count(sql: string): Promise<number> {
    this.log(sql);
    const reader = await this.connection.runAndReadAll(sql);
    // CREATE TABLE AS reports its rows in a `Count` column rather than as rows changed.
    if (reader.columnCount === 1 && reader.columnName(0) === 'Count' && reader.currentRowCount === 1) {
      return Number(reader.getRowsJson()[0]![0]);
    }
    return reader.rowsChanged;
  }

  /** A small result, fully read; never use for data that scales with table size. */
  async rows(sql: string): Promise<Row[]> {
    this.log(sql);
    const reader = await this.connection.runAndReadAll(sql);
    return reader.convertRowObjects(rowValueConverter) as Row[];
  }

  async one(sql: string): Promise<Row> {
    const [row] = await this.rows(sql);
    return row ?? {};
  }

  /** A whole-number column of a one-row result (counts, sums); 0 when null. */
  async number(sql: string, column = 'n'): Promise<number> {
    const value = (await this.one(sql))[column];
    return value === null || value === undefined ? 0 : Number(value);
  }

  /** The first value of a one-row result (as DuckDB's JSON form gives it), e.g. a serialized parse tree. */
  async scalar(sql: string): Promise<unknown> {
    this.log(sql);
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRows()[0]?.[0];
  }

  /** Runs `body` in a transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(body: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const result = await body();
      await this.run('COMMIT');
      return result;
    } catch (error) {
      // The original error matters; a failed rollback (e.g. nothing left to roll back) does not.
      await this.run('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  private log(sql: string): void {
    this.trace?.({ code: 'log', level: 'debug', message: sql, data: { sql } });
  }
}
