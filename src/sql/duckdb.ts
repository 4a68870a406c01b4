// SqlClient over a DuckDB database, used by the local target and by tests.
// Results stream chunk by chunk (DuckDB's streaming result), so a large result never sits in memory.

import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBExtractedStatements, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { UserError } from '../errors/index.ts';
import { rewriteNamedParams } from './params.ts';
import { rowValueConverter, toDuckDbParam } from './duckdb-values.ts';
import type { SqlClient, SqlColumn, SqlParams, SqlRow } from './types.ts';

export interface DuckDbOpenOptions {
  readOnly?: boolean;
}

export class DuckDbSql implements SqlClient {
  /** Serialises statements: a second query on one connection would invalidate a streaming result. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  /**
   * @param connection an open DuckDB connection (the client does not own it unless `onClose` closes it)
   * @param onClose called once by `close()`, e.g. to close the connection and instance this client opened
   */
  constructor(
    readonly connection: DuckDBConnection,
    private readonly onClose: () => void | Promise<void> = () => {},
  ) {}

  /** Opens (or creates) a database file; `:memory:` gives a throwaway in-memory database. */
  static async open(path: string, options: DuckDbOpenOptions = {}): Promise<DuckDbSql> {
    const config: Record<string, string> = options.readOnly ? { access_mode: 'READ_ONLY' } : {};
    const instance = await DuckDBInstance.create(path, config);
    const connection = await instance.connect();
    return new DuckDbSql(connection, () => {
      connection.closeSync();
      instance.closeSync();
    });
  }

  async *query(sql: string, params: SqlParams = {}): AsyncGenerator<SqlRow> {
    const release = await this.acquire();
    try {
      const { sql: rewritten } = rewriteNamedParams(sql, new Set(Object.keys(params)));
      const extracted = await this.connection.extractStatements(rewritten);
      // Earlier statements run before the next is prepared: a later one may use a table an earlier one creates.
      for (let i = 0; i < extracted.count - 1; i++) {
        const statement = await prepareBound(extracted, i, params);
        try {
          await statement.run();
        } finally {
          statement.destroySync();
        }
      }
      if (extracted.count === 0) return;
      const last = await prepareBound(extracted, extracted.count - 1, params);
      try {
        const result = await last.stream();
        for await (const rows of result.yieldConvertedRowObjects(rowValueConverter)) {
          yield* rows as SqlRow[];
        }
      } finally {
        last.destroySync();
      }
    } finally {
      release();
    }
  }

  /** Column names and types of the script's last statement, prepared but not run (earlier statements are not run). */
  async queryColumns(sql: string, params: SqlParams = {}): Promise<SqlColumn[]> {
    const release = await this.acquire();
    try {
      const { sql: rewritten } = rewriteNamedParams(sql, new Set(Object.keys(params)));
      const extracted = await this.connection.extractStatements(rewritten);
      if (extracted.count === 0) return [];
      const last = await prepareBound(extracted, extracted.count - 1, params);
      try {
        const columns: SqlColumn[] = [];
        for (let i = 0; i < last.columnCount; i++) {
          columns.push({ name: last.columnName(i), type: last.columnType(i).toString() });
        }
        return columns;
      } finally {
        last.destroySync();
      }
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.onClose();
  }

  private async acquire(): Promise<() => void> {
    if (this.closed) throw new UserError('The DuckDB SQL client is already closed.');
    let release!: () => void;
    const previous = this.queue;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }
}

async function prepareBound(
  extracted: DuckDBExtractedStatements,
  index: number,
  params: SqlParams,
): Promise<DuckDBPreparedStatement> {
  const statement = await extracted.prepare(index);
  try {
    bindNamed(statement, params);
    return statement;
  } catch (error) {
    statement.destroySync();
    throw error;
  }
}

function bindNamed(statement: DuckDBPreparedStatement, params: SqlParams): void {
  const values: Record<string, DuckDBValue> = {};
  for (let i = 1; i <= statement.parameterCount; i++) {
    const name = statement.parameterName(i);
    if (!(name in params)) throw new UserError(`The SQL uses parameter :${name} but no value was given for it.`);
    values[name] = toDuckDbParam(name, params[name]);
  }
  if (statement.parameterCount > 0) statement.bind(values);
}
