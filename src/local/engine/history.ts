// Table versions: every write gets the next version number, recorded in `_system.table_history`.
// Streaming tables stamp their rows with it (`_commit_version`) so downstream consumers can read increments.

import { quoteLiteral } from '../../sql/quote.ts';
import type { Executor } from './executor.ts';
import type { TableRef } from './names.ts';
import { displayName, sqlName } from './names.ts';
import { systemTable } from './system-tables.ts';

/** Hidden-by-convention column of streaming tables: the version that last wrote the row. */
export const COMMIT_VERSION = '_commit_version';

export async function objectKind(ex: Executor, ref: TableRef): Promise<'table' | 'view' | undefined> {
  const where = `database_name = ${quoteLiteral(ref.catalog)} AND schema_name = ${quoteLiteral(ref.schema)}`;
  const [row] = await ex.rows(
    `SELECT 'table' AS kind FROM duckdb_tables() WHERE ${where} AND table_name = ${quoteLiteral(ref.table)}
     UNION ALL
     SELECT 'view' FROM duckdb_views() WHERE ${where} AND view_name = ${quoteLiteral(ref.table)}`,
  );
  return row ? (row.kind as 'table' | 'view') : undefined;
}

/**
 * Whether `ref` is a table whose rows carry commit versions (a table a pipeline writes), so its changes are
 * tracked. (One table's columns: `duckdb_columns()` would read every table's, tens of milliseconds in a new process.)
 */
export async function hasCommitVersions(ex: Executor, ref: TableRef): Promise<boolean> {
  return (await objectKind(ex, ref)) === 'table' && (await tableColumns(ex, ref)).includes(COMMIT_VERSION);
}

/** The column names of an existing table. */
export async function tableColumns(ex: Executor, ref: TableRef): Promise<string[]> {
  return (await ex.rows(`SELECT name FROM pragma_table_info(${quoteLiteral(sqlName(ref))})`)).map((r) => String(r.name));
}

export async function currentVersion(ex: Executor, catalog: string, ref: TableRef): Promise<number> {
  return ex.number(
    `SELECT coalesce(max(version), 0) AS n FROM ${systemTable(catalog, 'table_history')} WHERE table_name = ${quoteLiteral(displayName(ref))}`,
  );
}

export async function recordVersion(
  ex: Executor,
  catalog: string,
  ref: TableRef,
  version: number,
  updateId: string,
  operation: string,
  rowsWritten: number,
): Promise<void> {
  await ex.run(
    `INSERT INTO ${systemTable(catalog, 'table_history')} VALUES (${quoteLiteral(displayName(ref))}, ${version}, ${quoteLiteral(updateId)}, ${quoteLiteral(operation)}, ${rowsWritten}, now())`,
  );
}
