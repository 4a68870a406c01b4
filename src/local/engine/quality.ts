// Schema enforcement and expectations on DuckDB, with the SQL the generated pipeline and notebooks use: the
// table's semantics (src/model/table-semantics.ts) rendered by src/synth/cleanse-code.ts in DuckDB's dialect.
// The staged relation holds the checked rows plus two flags, clean and quarantined; rows that are neither were
// left out by `where`.

import { UserError } from '../../errors/index.ts';
import { tableSemantics, type TableSemantics } from '../../model/table-semantics.ts';
import type { TableModel } from '../../model/types.ts';
import { quoteIdent, quoteLiteral } from '../../sql/quote.ts';
import { cleansePlan, type RuleMetric } from '../../synth/cleanse-code.ts';
import type { SchemaColumn } from './autoloader.ts';
import type { Executor } from './executor.ts';
import { substituteCatalog } from './names.ts';

export const CLEAN = '__dbx_clean';
export const QUARANTINED = '__dbx_quarantined';

export interface StagePlan {
  semantics: TableSemantics;
  /** SELECT over the source giving the checked rows and the CLEAN / QUARANTINED flags. */
  sql: string;
  /** Select list (over the stage) of the rows the table stores. */
  cleanSelect: string[];
  /** Select list (over the stage) of quarantine rows. */
  quarantineSelect: string[];
  /** Per rule, its aggregates over the stage (as the notebook measures them). */
  metrics: RuleMetric[];
}

/** The table's semantics with `${catalog}` replaced in every SQL text it carries. */
export function localSemantics(table: TableModel, catalog: string): TableSemantics {
  const s = tableSemantics(table);
  const sub = (text: string) => substituteCatalog(text, catalog);
  return {
    ...s,
    casts: s.casts.map((c) => (c.expression === undefined ? c : { ...c, expression: sub(c.expression) })),
    rules: s.rules.map((r) => (r.condition === undefined ? r : { ...r, condition: sub(r.condition) })),
    ...(s.where !== undefined ? { where: sub(s.where) } : {}),
  };
}

/**
 * Plans the stage for `table` over `sourceSql` (whose columns are `sourceColumns`). `updateTs` stamps quarantined
 * rows. Raw source text is kept only for rows that go to quarantine, and only when there is a quarantine table.
 */
export async function planStage(
  ex: Executor,
  table: TableModel,
  catalog: string,
  sourceSql: string,
  sourceColumns: readonly SchemaColumn[],
  updateTs: string,
): Promise<StagePlan> {
  const semantics = localSemantics(table, catalog);
  const plan = cleansePlan(semantics, 'duckdb', { quarantinedAt: `TIMESTAMP ${quoteLiteral(updateTs)}` });
  const all = sourceColumns.map((c) => quoteIdent(c.name));
  const star = (list: string[]) => list.flatMap((item) => (item === '*' ? all : [item]));
  const checked = `SELECT ${plan.checkedSelect.join(', ')} FROM (${sourceSql}) AS __dbx_src`;
  const flagged = `SELECT *, coalesce(${plan.clean}, false) AS ${CLEAN}, coalesce(${plan.quarantine}, false) AS ${QUARANTINED} FROM (${checked}) AS __dbx_checked`;
  const raws = semantics.casts.flatMap((c, i) => (c.rule ? [quoteIdent(`__raw_${i}`)] : []));
  let sql = flagged;
  if (raws.length > 0) {
    sql = semantics.quarantine
      ? `SELECT * REPLACE (${raws.map((r) => `CASE WHEN ${QUARANTINED} THEN ${r} END AS ${r}`).join(', ')}) FROM (${flagged}) AS __dbx_flagged`
      : `SELECT * EXCLUDE (${raws.join(', ')}) FROM (${flagged}) AS __dbx_flagged`;
  }
  try {
    await ex.rows(`DESCRIBE ${sql}`);
  } catch (error) {
    throw new UserError(`A column expression, filter or expectation of ${table.name} does not compile: ${(error as Error).message.split('\n')[0]}`);
  }
  return { semantics, sql, cleanSelect: star(plan.cleanSelect), quarantineSelect: star(plan.quarantineSelect), metrics: plan.metrics };
}
