// A SqlClient for any target: the local DuckDB database for a local target, the target's SQL warehouse
// (through @databricks/sql) for a workspace target. Used by `query`, `show` and `run --show-results`.
import { UserError } from '../errors/index.ts';
import { localPaths } from '../local/paths.ts';
import type { BundleModel } from '../model/types.ts';
import { DatabricksSql, type SqlDriver } from '../sql/databricks.ts';
import type { SqlClient } from '../sql/types.ts';
import { readConfigFile, resolveAuth, targetWorkspace } from '../workspace/index.ts';

export interface TargetSqlOptions {
  model: BundleModel;
  projectRoot: string;
  env: Record<string, string | undefined>;
  /** For tests: the @databricks/sql driver to use instead of a real DBSQLClient. */
  driver?: () => SqlDriver | Promise<SqlDriver>;
}

/**
 * The warehouse of a workspace target: the target's warehouse_id, else the bundle's `warehouse_id` variable
 * (BUNDLE_VAR_warehouse_id, target variables, default), else DATABRICKS_WAREHOUSE_ID.
 */
export function warehouseIdFor(model: BundleModel, env: Record<string, string | undefined>): string {
  const fromVariable = env['BUNDLE_VAR_warehouse_id'] ?? model.target.variables['warehouse_id'] ?? model.variables['warehouse_id']?.default;
  const id = model.target.warehouse_id ?? (fromVariable !== undefined ? String(fromVariable) : undefined) ?? env['DATABRICKS_WAREHOUSE_ID'];
  if (!id) {
    throw new UserError(
      `No SQL warehouse for target "${model.target.name}".`,
      'Set the target\'s warehouse_id, the bundle variable warehouse_id (BUNDLE_VAR_warehouse_id), or DATABRICKS_WAREHOUSE_ID.',
    );
  }
  return id;
}

export async function openTargetSql(opts: TargetSqlOptions): Promise<SqlClient> {
  const { model, env } = opts;
  if (model.target.local) {
    // Loaded on demand: DuckDB is only needed on the local target.
    const { openLocalDatabase } = await import('../local/engine/index.ts');
    const db = await openLocalDatabase(localPaths(opts.projectRoot, env).database, model.catalog);
    const sql = await db.openSqlClient().catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
    return {
      query: (text, params) => sql.query(text, params),
      queryColumns: (text, params) => sql.queryColumns(text, params),
      close: async () => {
        try {
          await sql.close();
        } finally {
          await db.close();
        }
      },
    };
  }
  const warehouseId = warehouseIdFor(model, env);
  const configFile = readConfigFile(env);
  const auth = resolveAuth({
    env,
    ...(configFile ? { configFile } : {}),
    target: targetWorkspace(model.target),
  });
  return new DatabricksSql({
    host: auth.description.host,
    warehouseId,
    credentials: auth.provider,
    catalog: model.catalog,
    ...(opts.driver ? { driver: opts.driver } : {}),
  });
}
