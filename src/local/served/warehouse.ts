// The SQL warehouse of `dbx-ts local serve`: statements from @databricks/sql run on the project's local DuckDB
// databases (one per catalog, as the local engine keeps them), so a workspace target pointed at the served
// workspace queries what its runs built.
import type { StatementResult, WarehouseBackend } from '../../emulator/sql/thrift-warehouse.ts';
import { UserError } from '../../errors/index.ts';
import { quoteIdent } from '../../sql/quote.ts';

export function localWarehouse(databaseDir: () => Promise<string>): WarehouseBackend {
  return {
    async execute(statement, params, session): Promise<StatementResult> {
      if (!session.catalog) throw new UserError('This warehouse runs on the local engine, which keeps one database per catalog: open the session with a catalog.');
      // Loaded on the first statement, not with the server (see executor.ts).
      const { openLocalDatabase } = await import('../engine/index.ts');
      const db = await openLocalDatabase(await databaseDir(), session.catalog);
      try {
        const sql = await db.openSqlClient();
        try {
          if (session.schema) for await (const _ of sql.query(`USE ${quoteIdent(session.catalog)}.${quoteIdent(session.schema)}`)) void _;
          const columns = await sql.queryColumns(statement, params);
          const rows: unknown[][] = [];
          for await (const row of sql.query(statement, params)) rows.push(columns.map((c) => row[c.name]));
          return { columns, rows };
        } finally {
          await sql.close();
        }
      } finally {
        await db.close();
      }
    },
  };
}
