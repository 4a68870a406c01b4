// Collecting a statement's rows, for small results (metrics, dashboard datasets). Declared structurally so any
// client with this `query` works, whichever engine is behind it.
import type { SqlRow } from './types.ts';

export interface SqlQueryRunner {
  query(sql: string): AsyncIterable<SqlRow>;
}

/** Runs a statement and collects its rows (statements without results give an empty list). */
export async function queryAll(sql: SqlQueryRunner, statement: string): Promise<SqlRow[]> {
  const rows: SqlRow[] = [];
  for await (const row of sql.query(statement)) rows.push(row);
  return rows;
}
