// Derived tasks (a summary notebook, a dashboard) refresh only when what they read changed: a fingerprint of the
// schemas they read (each table's latest version, or its row count when no pipeline writes it, and each view's
// recorded definition) is kept per task in `_system.task_refresh` after a successful run, and compared before the next.

import { canonicalJson, sha256 } from '../deploy/hash.ts';
import { quoteLiteral } from '../sql/quote.ts';
import type { LocalDatabase } from './engine/database.ts';
import { Executor } from './engine/executor.ts';
import { sqlName } from './engine/names.ts';
import { SYSTEM_SCHEMA, systemTable } from './engine/system-tables.ts';

/** The state of `schemas` of the database's catalog (all but `_system` when none are named), plus `extra`. */
export async function schemasFingerprint(ex: Executor, catalog: string, schemas: readonly string[] | undefined, extra: unknown = null): Promise<string> {
  const inSchemas = schemas ? `AND schema_name IN (${schemas.map(quoteLiteral).join(', ')})` : `AND schema_name <> ${quoteLiteral(SYSTEM_SCHEMA)}`;
  const where = `database_name = ${quoteLiteral(catalog)} ${inSchemas}`;
  const tables = await ex.rows(`SELECT schema_name, table_name FROM duckdb_tables() WHERE ${where} ORDER BY ALL`);
  const versions = new Map(
    (await ex.rows(`SELECT table_name, max(version) AS v FROM ${systemTable(catalog, 'table_history')} GROUP BY table_name`)).map((r) => [String(r.table_name), Number(r.v)]),
  );
  const state: Record<string, unknown> = {};
  for (const t of tables) {
    const ref = { catalog, schema: String(t.schema_name), table: String(t.table_name) };
    const name = `${ref.catalog}.${ref.schema}.${ref.table}`;
    // Tables no pipeline writes (a summary table, a quarantine table) have no versions: their row count stands in.
    state[name] = versions.get(name) ?? { rows: await ex.number(`SELECT count(*) AS n FROM ${sqlName(ref)}`) };
  }
  // A view by the definition a pipeline recorded for it (DuckDB's own text of a view varies between sessions).
  const definitions = new Map(
    (await ex.rows(`SELECT table_name, definition_hash FROM ${systemTable(catalog, 'refresh_state')}`)).map((r) => [String(r.table_name), String(r.definition_hash)]),
  );
  for (const v of await ex.rows(`SELECT schema_name, view_name FROM duckdb_views() WHERE ${where} AND NOT internal ORDER BY ALL`)) {
    const name = `${catalog}.${String(v.schema_name)}.${String(v.view_name)}`;
    state[name] = { view: definitions.get(name) ?? null };
  }
  return sha256(canonicalJson({ state, extra }));
}

export interface TaskRefresh {
  /** True when the task last succeeded on this same fingerprint. */
  unchanged: boolean;
  fingerprint: string;
}

export async function checkTaskRefresh(db: LocalDatabase, taskKey: string, schemas: readonly string[] | undefined, extra: unknown): Promise<TaskRefresh> {
  return withExecutor(db, async (ex) => {
    const fingerprint = await schemasFingerprint(ex, db.catalog, schemas, extra);
    const recorded = await ex.rows(`SELECT fingerprint FROM ${systemTable(db.catalog, 'task_refresh')} WHERE task_key = ${quoteLiteral(taskKey)}`);
    return { fingerprint, unchanged: recorded[0]?.fingerprint === fingerprint };
  });
}

/** After a successful run: what the task has now seen (computed again, so its own writes count as seen). */
export async function recordTaskRefresh(db: LocalDatabase, taskKey: string, schemas: readonly string[] | undefined, extra: unknown, runId: string): Promise<void> {
  await withExecutor(db, async (ex) => {
    const fingerprint = await schemasFingerprint(ex, db.catalog, schemas, extra);
    const table = systemTable(db.catalog, 'task_refresh');
    // A task skipped as unchanged saw what it saw before: nothing to write (nor to checkpoint on close).
    const recorded = await ex.rows(`SELECT fingerprint FROM ${table} WHERE task_key = ${quoteLiteral(taskKey)}`);
    if (recorded.length === 1 && recorded[0]!.fingerprint === fingerprint) return;
    await ex.transaction(async () => {
      await ex.run(`DELETE FROM ${table} WHERE task_key = ${quoteLiteral(taskKey)}`);
      await ex.run(`INSERT INTO ${table} VALUES (${quoteLiteral(taskKey)}, ${quoteLiteral(fingerprint)}, ${quoteLiteral(runId)}, now())`);
    });
  });
}

async function withExecutor<T>(db: LocalDatabase, body: (ex: Executor) => Promise<T>): Promise<T> {
  const connection = await db.connect();
  try {
    return await body(new Executor(connection));
  } finally {
    connection.closeSync();
  }
}
