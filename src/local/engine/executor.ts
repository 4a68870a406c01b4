// The engine's one door to DuckDB: statements, counts and small result sets, each optionally traced as a debug event.
// With a signal, a statement running when it aborts is interrupted (DuckDB stops it and rolls back what it did) and
// no statement starts after it.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { EventSink } from '../../events/types.ts';
import { rowValueConverter } from '../../sql/duckdb-values.ts';

export type Row = Record<string, unknown>;

export class Executor {
  constructor(
    readonly connection: DuckDBConnection,
    private readonly trace?: EventSink,
    private readonly signal?: AbortSignal,
  ) {}

  async run(sql: string): Promise<void> {
    await this.statement(sql, () => this.connection.run(sql));
  }

  /** Rows inserted, updated or deleted (or created, for CREATE TABLE AS) by one statement. */
  async count(sql: string): Promise<number> {
    const reader = await this.statement(sql, () => this.connection.runAndReadAll(sql));
    // CREATE TABLE AS reports its rows in a `Count` column rather than as rows changed.
    if (reader.columnCount === 1 && reader.columnName(0) === 'Count' && reader.currentRowCount === 1) {
      return Number(reader.getRowsJson()[0]![0]);
    }
    return reader.rowsChanged;
  }

  /** A small result, fully read; never use for data that scales with table size. */
  async rows(sql: string): Promise<Row[]> {
    const reader = await this.statement(sql, () => this.connection.runAndReadAll(sql));
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
    const reader = await this.statement(sql, () => this.connection.runAndReadAll(sql));
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
      // The original error matters; a failed rollback (e.g. nothing left to roll back) does not. It runs even
      // after the signal aborted: an interrupted statement leaves its transaction to roll back.
      this.log('ROLLBACK');
      await this.connection.run('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  /** One statement; the signal interrupts it, or stops it from starting. */
  private async statement<T>(sql: string, execute: () => Promise<T>): Promise<T> {
    this.log(sql);
    const signal = this.signal;
    if (!signal) return execute();
    if (signal.aborted) throw interrupted(signal);
    const interrupt = () => this.connection.interrupt();
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      return await execute();
    } catch (error) {
      throw signal.aborted ? interrupted(signal, error) : error;
    } finally {
      signal.removeEventListener('abort', interrupt);
    }
  }

  private log(sql: string): void {
    this.trace?.({ code: 'log', level: 'debug', message: sql, data: { sql } });
  }
}

/** Why a statement did not run to its end: the signal's reason (a cancelled run, a stopped update). */
function interrupted(signal: AbortSignal, cause?: unknown): Error {
  const reason: unknown = signal.reason;
  const message = reason instanceof Error ? reason.message : 'The statement was interrupted.';
  return new Error(`Interrupted: ${message}`, cause === undefined ? {} : { cause });
}
