// The SQL client contract shared by the Databricks SQL warehouse client and the local DuckDB one.

/** Named parameter values, bound to `:name` markers in the SQL text (Databricks' named parameter syntax). */
export type SqlParams = Record<string, unknown>;

/** A result row: column name → value. Integers and decimals are numbers when exact, strings otherwise; dates and timestamps are strings. */
export type SqlRow = Record<string, unknown>;

export interface SqlColumn {
  name: string;
  /** The engine's type name, e.g. `VARCHAR`, `BIGINT`, `TIMESTAMP`, `DECIMAL(10,2)`. */
  type: string;
}

export interface SqlClient {
  /**
   * Runs one statement (or a script whose last statement returns rows) and yields its rows.
   * Rows arrive chunk by chunk: a large result is never held in memory at once.
   */
  query(sql: string, params?: SqlParams): AsyncIterable<SqlRow>;
  /** Column names and types the statement would return, without running it. */
  queryColumns?(sql: string, params?: SqlParams): Promise<SqlColumn[]>;
  close(): Promise<void>;
}
