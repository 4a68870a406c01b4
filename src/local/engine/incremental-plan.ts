// An incremental refresh of a materialized view, when its inputs' history and its query's shape allow one
// (query-shape.ts): the query is rewritten (DuckDB's parse tree, edited, then json_deserialize_sql) to read only
// the new rows of the tables that changed, or only the rows of the keys that changed, through temporary views.
// Anything else is a complete recompute, and the reason says why.

import { createHash } from 'node:crypto';
import { readCached, writeCached } from '../../cache-dir.ts';
import type { TableModel } from '../../model/types.ts';
import { deserializeSql, type TreeNode } from '../../sql/parse-tree.ts';
import { quoteIdent, quoteLiteral } from '../../sql/quote.ts';
import type { Executor } from './executor.ts';
import { COMMIT_VERSION, hasCommitVersions, objectKind, tableColumns } from './history.ts';
import { parseTableName, sqlName } from './names.ts';
import { aggregateShape, type AggregateShape } from './aggregate-shape.ts';
import { keyedShape, linearShape, type BaseNode, type ShapeContext } from './query-shape.ts';
import { systemTable } from './system-tables.ts';

/** Holds the keys whose rows a ROW_BASED refresh recomputes. */
export const CHANGED_KEYS = '__dbx_changed_keys';

export type IncrementalRefresh =
  | { technique: 'APPEND_ONLY'; sql: string; cleanup: string[] }
  | { technique: 'ROW_BASED'; sql: string; key: string; cleanup: string[] }
  | { technique: 'GROUP_AGGREGATE'; sql: string; columns: AggregateShape['columns']; cleanup: string[] };

export interface IncrementalInput {
  tree: TreeNode;
  catalog: string;
  /** Versions the view was computed from, and the versions now. */
  before: Readonly<Record<string, number>>;
  now: Readonly<Record<string, number>>;
}

/** An incremental refresh, or why there is none. */
export async function planIncremental(ex: Executor, table: TableModel, input: IncrementalInput): Promise<IncrementalRefresh | { why: string }> {
  const changed = Object.keys(input.now).filter((name) => input.before[name] !== input.now[name]);
  let appendOnly = true;
  for (const name of changed) {
    const ref = parseTableName(name, input.catalog);
    if (!(await hasCommitVersions(ex, ref))) return { why: `${name} has no commit versions (not a table a pipeline writes), so its changed rows are not known` };
    const ops = await ex.rows(
      `SELECT DISTINCT operation FROM ${systemTable(input.catalog, 'table_history')} WHERE table_name = ${quoteLiteral(name)} AND version > ${input.before[name] ?? 0} AND version <= ${input.now[name]}`,
    );
    const kinds = ops.map((r) => String(r.operation));
    if (kinds.some((k) => k !== 'APPEND' && k !== 'MERGE')) return { why: `${name} was rewritten or had rows removed (${kinds.join(', ')}), not only appended to or merged into` };
    if (kinds.some((k) => k !== 'APPEND')) appendOnly = false;
  }
  const columns = await inputColumns(ex, Object.keys(input.now), input.catalog);
  const tree = structuredClone(input.tree);
  const ctx: ShapeContext = {
    aggregates: await aggregateFunctions(ex),
    changed: new Set(changed),
    hasColumn: (t, c) => columns.get(t)?.has(c) ?? false,
    nameOf: (node) => {
      if (!node['schema_name'] && !node['catalog_name']) return undefined;
      return `${String(node['catalog_name'] || input.catalog)}.${String(node['schema_name'] || 'main')}.${String(node['table_name'])}`;
    },
  };
  const reasons: string[] = [];
  const checksRows = table.expectations.length > 0 || table.where !== undefined;
  if (appendOnly) {
    const linear = linearShape(tree, ctx);
    if (linear.ok) return { technique: 'APPEND_ONLY', ...(await rewrite(ex, tree, linear.value, (b) => newRows(b, input))) };
    reasons.push(`not append-only: ${linear.why}`);
    const aggregate = checksRows ? { ok: false as const, why: 'expectations are checked on whole rows' } : aggregateShape(tree, ctx);
    if (aggregate.ok) return { technique: 'GROUP_AGGREGATE', columns: aggregate.value.columns, ...(await rewrite(ex, tree, aggregate.value.bases, (b) => newRows(b, input))) };
    reasons.push(`not a mergeable aggregate: ${aggregate.why}`);
  } else {
    reasons.push('inputs were merged into, not only appended to');
  }
  const keyed = keyedShape(tree, ctx);
  if (!keyed.ok) return { why: [...reasons, `not by key: ${keyed.why}`].join('; ') };
  const key = quoteIdent(keyed.value.key);
  const changedBases = keyed.value.bases.filter((b) => ctx.changed.has(b.name));
  const keysSql = changedBases.map((b) => `SELECT ${key} FROM ${sqlName(parseTableName(b.name, input.catalog))} WHERE ${COMMIT_VERSION} > ${input.before[b.name] ?? 0}`);
  await ex.run(`CREATE OR REPLACE TEMP TABLE ${CHANGED_KEYS} AS SELECT DISTINCT ${key} FROM (${keysSql.join(' UNION ALL ')}) AS k`);
  // NULL never matches IN: rows of a NULL key could not be found again, so they are recomputed with everything.
  if ((await ex.number(`SELECT count(*) AS n FROM ${CHANGED_KEYS} WHERE ${key} IS NULL`)) > 0) {
    await ex.run(`DROP TABLE ${CHANGED_KEYS}`);
    return { why: `a changed row has no ${keyed.value.key}` };
  }
  const filtered = (b: BaseNode) => `SELECT * FROM ${sqlName(parseTableName(b.name, input.catalog))} WHERE ${key} IN (SELECT ${key} FROM ${CHANGED_KEYS})`;
  const out = await rewrite(ex, tree, keyed.value.bases, filtered);
  return { technique: 'ROW_BASED', key: keyed.value.key, sql: out.sql, cleanup: [...out.cleanup, `DROP TABLE IF EXISTS ${CHANGED_KEYS}`] };
}

/** The rows of a table since the view's last refresh (none for a table that did not change). */
function newRows(b: BaseNode, input: IncrementalInput): string {
  const table = sqlName(parseTableName(b.name, input.catalog));
  if (input.before[b.name] === input.now[b.name]) return `SELECT * FROM ${table} WHERE false`;
  return `SELECT * FROM ${table} WHERE ${COMMIT_VERSION} > ${input.before[b.name] ?? 0}`;
}

/**
 * Points each base table at a temporary view over `rows(base)`; the query text comes back from the edited tree,
 * and must give the columns the original query gives (else the caller recomputes in full).
 */
async function rewrite(ex: Executor, tree: TreeNode, bases: readonly BaseNode[], rows: (b: BaseNode) => string): Promise<{ sql: string; cleanup: string[] }> {
  const original = await columnsOf(ex, await deserializeSql((sql) => ex.scalar(sql), tree));
  const cleanup: string[] = [];
  for (const [i, base] of bases.entries()) {
    const view = `__dbx_delta_${i}`;
    await ex.run(`CREATE OR REPLACE TEMP VIEW ${view} AS ${rows(base)}`);
    cleanup.push(`DROP VIEW IF EXISTS temp.main.${view}`);
    // The alias keeps references like `sales_batch.amount` resolving as before.
    base.node['alias'] = String(base.node['alias'] ?? '') || String(base.node['table_name']);
    base.node['catalog_name'] = 'temp';
    base.node['schema_name'] = 'main';
    base.node['table_name'] = view;
  }
  const sql = await deserializeSql((text) => ex.scalar(text), tree);
  const rewritten = await columnsOf(ex, sql);
  if (rewritten !== original) {
    for (const drop of cleanup) await ex.run(drop);
    throw new Error(`the rewritten query gives ${rewritten} instead of ${original}`);
  }
  return { sql, cleanup };
}

async function columnsOf(ex: Executor, sql: string): Promise<string> {
  return (await ex.rows(`DESCRIBE ${sql}`)).map((r) => `${String(r.column_name)} ${String(r.column_type)}`).join(', ');
}

/** Column names (lower case) of each input table that exists. */
async function inputColumns(ex: Executor, names: readonly string[], catalog: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const name of names) {
    const ref = parseTableName(name, catalog);
    if ((await objectKind(ex, ref)) === 'table') out.set(name, new Set((await tableColumns(ex, ref)).map((c) => c.toLowerCase())));
  }
  return out;
}

let aggregateNames: Promise<Set<string>> | undefined;

/**
 * DuckDB's aggregate functions (macros over them are not aggregates: they are expanded first). Listing them takes
 * tens of milliseconds, so the list is kept in the cache folder by DuckDB's version and its loaded extensions.
 */
function aggregateFunctions(ex: Executor): Promise<Set<string>> {
  aggregateNames ??= (async () => {
    const version = await ex.scalar(`SELECT library_version || ':' || (SELECT string_agg(extension_name, ',' ORDER BY extension_name) FROM duckdb_extensions() WHERE loaded) FROM pragma_version()`);
    const entry = `duckdb-aggregates-${createHash('sha256').update(String(version)).digest('hex').slice(0, 20)}.json`;
    try {
      const cached: unknown = JSON.parse(readCached(entry) ?? 'null');
      if (Array.isArray(cached) && cached.length > 0) return new Set(cached.map(String));
    } catch {
      // unreadable: listed below
    }
    const rows = await ex.rows(`SELECT DISTINCT lower(function_name) AS name FROM duckdb_functions() WHERE function_type = 'aggregate' ORDER BY name`);
    const names = rows.map((r) => String(r.name));
    writeCached(entry, JSON.stringify(names));
    return new Set(names);
  })();
  return aggregateNames;
}
