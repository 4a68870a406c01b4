// Writes an incremental refresh of a materialized view (incremental-plan.ts): new rows appended (APPEND_ONLY),
// the changed keys' rows replaced (ROW_BASED), or partial aggregates merged into the stored groups
// (GROUP_AGGREGATE). Runs inside the table's transaction. Rows written carry the update's commit version.

import { quoteIdent } from '../../sql/quote.ts';
import type { Executor } from './executor.ts';
import { CHANGED_KEYS, type IncrementalRefresh } from './incremental-plan.ts';
import { COMMIT_VERSION } from './history.ts';
import type { TableRef } from './names.ts';
import { sqlName } from './names.ts';
import { stamped } from './writers.ts';

const PARTIAL = '__dbx_partial';
const MERGED = '__dbx_merged';

export interface IncrementalCounts {
  inserted: number;
  /** Stored rows removed to be replaced by recomputed ones. */
  removed: number;
}

/** Rows written carry `version` as their commit version (so the view's own readers can read its increments). */
export async function writeIncremental(ex: Executor, ref: TableRef, rowsSql: string, refresh: IncrementalRefresh, version: number): Promise<IncrementalCounts> {
  const target = sqlName(ref);
  const insert = (sql: string) => ex.count(`INSERT INTO ${target} BY NAME ${stamped(sql, version)}`);
  switch (refresh.technique) {
    case 'APPEND_ONLY':
      return { inserted: await insert(rowsSql), removed: 0 };
    case 'ROW_BASED': {
      const key = quoteIdent(refresh.key);
      const removed = await ex.count(`DELETE FROM ${target} WHERE ${key} IN (SELECT ${key} FROM ${CHANGED_KEYS})`);
      return { inserted: await insert(rowsSql), removed };
    }
    case 'GROUP_AGGREGATE':
      return mergeGroups(ex, target, rowsSql, refresh.columns, version);
  }
}

/** Each partial group merged with the stored group of the same keys (if any), replacing it. */
async function mergeGroups(
  ex: Executor,
  target: string,
  rowsSql: string,
  columns: Extract<IncrementalRefresh, { technique: 'GROUP_AGGREGATE' }>['columns'],
  version: number,
): Promise<IncrementalCounts> {
  const described = (await ex.rows(`DESCRIBE ${target}`)).filter((r) => r.column_name !== COMMIT_VERSION);
  const names = described.map((r) => quoteIdent(String(r.column_name)));
  const types = described.map((r) => String(r.column_type));
  await ex.run(`CREATE OR REPLACE TEMP TABLE ${PARTIAL} AS SELECT * FROM (${rowsSql}) AS __dbx_rows`);
  const partialNames = (await ex.rows(`DESCRIBE ${PARTIAL}`)).map((r) => quoteIdent(String(r.column_name)));
  const keys = columns.flatMap((c, i) => (c.group ? [i] : []));
  const match = keys.map((i) => `m.${names[i]} IS NOT DISTINCT FROM p.${partialNames[i]}`).join(' AND ');
  const merged = columns.map((c, i) => {
    const [m, p] = [`m.${names[i]}`, `p.${partialNames[i]}`];
    if (c.group) return `${p} AS ${names[i]}`;
    // NULL stands for "no value yet" (a sum or min of only NULLs), as the full aggregate would give.
    const value = {
      sum: `CASE WHEN ${m} IS NULL THEN ${p} WHEN ${p} IS NULL THEN ${m} ELSE ${m} + ${p} END`,
      count: `coalesce(${m}, 0) + ${p}`,
      min: `least(${m}, ${p})`,
      max: `greatest(${m}, ${p})`,
    }[c.merge];
    return `CAST(${value} AS ${types[i]}) AS ${names[i]}`;
  });
  await ex.run(`CREATE OR REPLACE TEMP TABLE ${MERGED} AS SELECT ${merged.join(', ')} FROM ${PARTIAL} AS p LEFT JOIN ${target} AS m ON ${match}`);
  const removed = await ex.count(`DELETE FROM ${target} AS m USING ${PARTIAL} AS p WHERE ${match}`);
  const inserted = await ex.count(`INSERT INTO ${target} BY NAME ${stamped(`SELECT * FROM ${MERGED}`, version)}`);
  await ex.run(`DROP TABLE ${PARTIAL}`);
  await ex.run(`DROP TABLE ${MERGED}`);
  return { inserted, removed };
}
