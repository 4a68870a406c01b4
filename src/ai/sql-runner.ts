// The slice of the SqlClient (src/sql/types.ts) that the summary needs. Declared structurally here so this
// module does not depend on a particular SqlClient implementation: anything with this `query` satisfies it.

export type SqlRow = Record<string, unknown>;

export interface SqlQueryRunner {
  query(sql: string): AsyncIterable<SqlRow>;
}

/** Runs a statement and collects its rows (statements without results give an empty list). */
export async function queryAll(sql: SqlQueryRunner, statement: string): Promise<SqlRow[]> {
  const rows: SqlRow[] = [];
  for await (const row of sql.query(statement)) rows.push(row);
  return rows;
}
