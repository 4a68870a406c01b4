// `dbx-ts show <schema.table>`: the first rows of any table the bundle declares (pipeline and notebook tables
// and their quarantine tables), named as the user declared it, on the local database or the SQL warehouse.
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import { COMMIT_VERSION } from '../local/engine/history.ts';
import type { BundleModel } from '../model/types.ts';
import { isMissingTable } from '../sql/missing.ts';
import { quoteIdent } from '../sql/quote.ts';
import type { SqlClient } from '../sql/types.ts';
import { sqlIdent } from '../synth/escape.ts';
import { previewRows } from './result-views.ts';
import { declaredSchemaNames, type SchemaNames } from './target-schemas.ts';

/** Columns the local engine keeps for itself (commit versions); Databricks tables have none of them. */
const isInternal = (column: string) => column === COMMIT_VERSION || column.startsWith('__dbx_');

/** `schema.table` of a declared name (`silver.x`, `${catalog}.silver.x` or `<catalog>.silver.x`). */
function schemaTable(name: string, catalog: string): string {
  const parts = name.split('.');
  if (parts.length === 3 && (parts[0] === '${catalog}' || parts[0] === catalog)) return parts.slice(1).join('.');
  return name;
}

/** Every table the bundle declares, as `schema.table`, in declaration order. */
export function bundleTableNames(model: BundleModel): string[] {
  const tables = [...Object.values(model.resources.pipelines).flatMap((p) => p.tables), ...Object.values(model.notebooks).flatMap((n) => n.tables)];
  const names = tables.flatMap((t) => [t.name, ...(t.quarantine_table ? [t.quarantine_table] : [])]).map((n) => schemaTable(n, model.catalog));
  return [...new Set(names)];
}

/** The declared table `what` names (`schema.table`, or with the target's catalog in front), if any. */
export function findBundleTable(model: BundleModel, what: string): string | undefined {
  const wanted = schemaTable(what, model.catalog);
  return bundleTableNames(model).find((n) => n === wanted);
}

function notYet(model: BundleModel, name: string): UserError {
  return new UserError(
    `Table ${model.catalog}.${name} does not exist yet on target ${model.target.name}.`,
    'Run the job that builds it first (dbx-ts run <job>).',
  );
}

export async function showTable(sql: SqlClient, model: BundleModel, name: string, limit: number, sink: EventSink, schemas: SchemaNames = declaredSchemaNames): Promise<number> {
  const [declared, table] = name.split('.') as [string, string];
  const schema = schemas(declared);
  const full = `${model.catalog}.${schema}.${table}`;
  const title = `First rows of ${full}:`;
  if (!model.target.local) {
    const statement = `SELECT * FROM ${[model.catalog, schema, table].map(sqlIdent).join('.')} LIMIT ${limit}`;
    try {
      return await previewRows(sql, statement, title, full, sink);
    } catch (error) {
      if (isMissingTable(error)) throw notYet(model, name);
      throw error;
    }
  }
  const columns: string[] = [];
  for await (const row of sql.query(
    'SELECT column_name FROM information_schema.columns WHERE table_catalog = :catalog AND table_schema = :schema AND table_name = :table ORDER BY ordinal_position',
    { catalog: model.catalog, schema, table },
  )) {
    columns.push(String(row['column_name']));
  }
  if (columns.length === 0) throw notYet(model, name);
  const shown = columns.filter((c) => !isInternal(c));
  const statement = `SELECT ${shown.map(quoteIdent).join(', ')} FROM ${[model.catalog, schema, table].map(quoteIdent).join('.')} LIMIT ${limit}`;
  return previewRows(sql, statement, title, full, sink, shown);
}
