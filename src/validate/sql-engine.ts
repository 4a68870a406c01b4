// DuckDB's own parser and binder for validate: an in-memory database holding empty tables with the bundle's
// columns, so a query, expression or condition binds exactly as the local engine will run it (with the same
// Databricks dialect macros). Loaded on first use only (the native library is large: sql-check-cache.ts spares
// it when nothing changed) and shared by the process.
import type { DuckDBConnection } from '@duckdb/node-api';
import { baseTables, serializeSql, type ParsedTableRef } from '../sql/parse-tree.ts';

export type { ParsedTableRef };

/** One column of a relation, typed as DuckDB names it. */
export interface SqlColumn {
  name: string;
  type: string;
}

export type Parsed = { refs: ParsedTableRef[] } | { error: string };
export type Bound = { columns: SqlColumn[] } | { error: string };

let engine: Promise<DuckDBConnection> | undefined;

/** DuckDB, started on first use (loading the native module and creating the database). */
function openEngine(): Promise<DuckDBConnection> {
  engine ??= (async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    // The local engine's session: the same Databricks functions as macros, so checks agree with local runs.
    const [{ installDatabricksDialect }, { Executor }] = await Promise.all([import('../local/engine/dialect.ts'), import('../local/engine/executor.ts')]);
    await installDatabricksDialect(new Executor(connection));
    return connection;
  })();
  return engine;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A fresh catalog (DuckDB database) for one check, attached and made the default. */
export class SqlScratch {
  private readonly schemas = new Set<string>();

  private constructor(
    private readonly connection: DuckDBConnection,
    readonly catalog: string,
  ) {}

  static async open(catalog: string): Promise<SqlScratch> {
    const connection = await openEngine();
    await connection.run(`ATTACH ':memory:' AS ${quote(catalog)}`);
    await connection.run(`USE ${quote(catalog)}`);
    return new SqlScratch(connection, catalog);
  }

  async close(): Promise<void> {
    await this.connection.run('USE memory');
    await this.connection.run(`DETACH ${quote(this.catalog)}`);
  }

  /** An empty table `<catalog>.<schema>.<table>` with these columns (replacing any of that name). */
  async createTable(schema: string, table: string, columns: readonly SqlColumn[]): Promise<void> {
    if (!this.schemas.has(schema)) {
      await this.connection.run(`CREATE SCHEMA IF NOT EXISTS ${quote(this.catalog)}.${quote(schema)}`);
      this.schemas.add(schema);
    }
    const list = columns.map((c) => `${quote(c.name)} ${c.type}`).join(', ');
    await this.connection.run(`CREATE OR REPLACE TABLE ${quote(this.catalog)}.${quote(schema)}.${quote(table)} (${list})`);
  }

  /** The columns of a table declared in Spark DDL (`id STRING, amount DECIMAL(10,2)`), or why DuckDB refuses it. */
  async ddlColumns(ddl: string): Promise<Bound> {
    try {
      await this.connection.run(`CREATE OR REPLACE TEMP TABLE __dbx_ddl (${ddl})`);
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
    return this.bound('DESCRIBE __dbx_ddl');
  }

  /** The result columns of a SELECT, or DuckDB's error. */
  async describe(query: string): Promise<Bound> {
    return this.bound(`DESCRIBE ${query}`);
  }

  private async bound(sql: string): Promise<Bound> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      const rows = reader.getRowObjectsJS() as { column_name: string; column_type: string }[];
      return { columns: rows.map((r) => ({ name: r.column_name, type: r.column_type })) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The tables a SELECT names, from DuckDB's parse tree (CTE names left out), or the parser's error. */
  async tableRefs(query: string): Promise<Parsed> {
    const parsed = await serializeSql(async (sql) => (await this.connection.runAndReadAll(sql)).getRows()[0]![0], query);
    return 'error' in parsed ? parsed : { refs: baseTables(parsed.tree) };
  }
}
