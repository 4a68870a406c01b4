// The tables a table reads, found in DuckDB's parse tree of every SQL text of its definition (query, filter,
// expectations, column expressions), and the versions they are at now. A table whose inputs are all at the
// versions it was computed from need not be computed again.

import type { TableModel } from '../../model/types.ts';
import { baseTables, serializeSql, walkTree, type TreeNode } from '../../sql/parse-tree.ts';
import type { Executor } from './executor.ts';
import { currentVersion, hasCommitVersions } from './history.ts';
import type { TableRef } from './names.ts';
import { displayName, parseTableName, substituteCatalog } from './names.ts';

/** Functions whose value changes between runs over the same rows: a table using one is never skipped. */
const VOLATILE_FUNCTIONS = new Set([
  'now', 'current_timestamp', 'current_date', 'current_time', 'localtimestamp', 'localtime', 'get_current_timestamp', 'get_current_time',
  'today', 'transaction_timestamp', 'random', 'rand', 'randn', 'uuid', 'gen_random_uuid', 'setseed', 'nextval', 'current_timezone',
]);

export interface TableInputs {
  /** Tables read (`catalog.schema.table`), in the order first named. */
  tables: TableRef[];
  /** The first volatile function used, if any. */
  volatile?: string;
  /** The parse tree of the query, for materialized views and views. */
  queryTree?: TreeNode;
}

/** Every SQL text of the definition, each as a statement DuckDB can parse. */
function sqlTexts(table: TableModel, catalog: string): { sql: string; isQuery: boolean }[] {
  const sub = (text: string) => substituteCatalog(text, catalog);
  const texts: { sql: string; isQuery: boolean }[] = [];
  if (table.query !== undefined && table.kind !== 'streaming_table') texts.push({ sql: sub(table.query), isQuery: true });
  if (table.where !== undefined) texts.push({ sql: `SELECT 1 WHERE (${sub(table.where)})`, isQuery: false });
  for (const e of table.expectations) texts.push({ sql: `SELECT 1 WHERE (${sub(e.condition)})`, isQuery: false });
  for (const c of table.columns ?? []) if (c.expression !== undefined) texts.push({ sql: `SELECT ${sub(c.expression)}`, isQuery: false });
  return texts;
}

export async function tableInputs(ex: Executor, table: TableModel, catalog: string): Promise<TableInputs> {
  const found = new Map<string, TableRef>();
  const add = (ref: TableRef) => found.set(displayName(ref), found.get(displayName(ref)) ?? ref);
  if (table.source?.type === 'table') add(parseTableName(table.source.table, catalog));
  const out: TableInputs = { tables: [] };
  for (const text of sqlTexts(table, catalog)) {
    const parsed = await serializeSql((sql) => ex.scalar(sql), text.sql);
    // A text DuckDB cannot parse fails when the table runs, with the engine's own message.
    if ('error' in parsed) continue;
    if (text.isQuery) out.queryTree = parsed.tree;
    for (const r of baseTables(parsed.tree)) {
      add({ catalog: r.catalog || catalog, schema: r.schema || 'main', table: r.table });
    }
    out.volatile ??= volatileFunction(parsed.tree);
  }
  out.tables = [...found.values()];
  return out;
}

function volatileFunction(tree: unknown): string | undefined {
  let hit: string | undefined;
  walkTree(tree, (o) => {
    if (hit) return;
    if (o['class'] === 'FUNCTION' && VOLATILE_FUNCTIONS.has(String(o['function_name']).toLowerCase())) hit = String(o['function_name']);
    // `current_timestamp` without parentheses parses as a column reference.
    const names = o['column_names'];
    if (o['class'] === 'COLUMN_REF' && Array.isArray(names) && names.length === 1 && VOLATILE_FUNCTIONS.has(String(names[0]).toLowerCase())) hit = String(names[0]);
  });
  return hit;
}

export interface InputVersions {
  versions: Record<string, number>;
  /** Inputs with no recorded version (views, tables written outside a pipeline, other catalogs): changes unknown. */
  untracked: string[];
}

export async function inputVersions(ex: Executor, catalog: string, tables: readonly TableRef[]): Promise<InputVersions> {
  const out: InputVersions = { versions: {}, untracked: [] };
  for (const ref of tables) {
    const name = displayName(ref);
    const version = ref.catalog === catalog ? await currentVersion(ex, catalog, ref) : 0;
    // A streaming table nothing was ever written to is tracked too: at version 0 until its first write.
    if (version > 0 || (ref.catalog === catalog && (await hasCommitVersions(ex, ref)))) out.versions[name] = version;
    else out.untracked.push(name);
  }
  return out;
}
