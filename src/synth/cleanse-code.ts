// A table's semantics (src/model/table-semantics.ts) as SQL expressions, for Databricks and for DuckDB:
// schema enforcement with try_cast, the rules each row breaks, and the clean / quarantine split. Pipeline SQL,
// the notebooks and the local engine all build on these, so a row is judged the same way wherever it runs.
//
// In SQL terms:
// - Each declared column is `try_cast((expression) AS type)`. A non-null source value whose cast gives
//   NULL breaks the rule `cast:<column>`.
// - An expectation holds when its condition is TRUE; NULL counts as broken (as a row filter would drop it).
// - `where` filters typed rows that cast cleanly: rows it makes FALSE are out of scope, neither clean nor
//   quarantined. NULL keeps a row in scope, so a row only leaves when the filter says so.
// - Clean rows: no cast failure, `where` holds, every drop rule holds. Fail rules stop the run when broken;
//   warn rules are counted only.
// - Quarantine rows: a cast failure, or (in scope and) a broken drop rule. They keep the source values
//   as text under the declared column names, plus `_failed_rules` and `_quarantined_at`. `_failed_rules` names
//   the rules the row was measured to break: its cast failures, and drop rules only on a row that cast cleanly
//   and is in scope (where expectations are measured), so the quarantine and the metrics agree.
import type { ExpectationAction } from '../model/types.ts';
import { FAILED_RULES_COLUMN, QUARANTINED_AT_COLUMN, type CastSemantics, type DedupeSemantics, type TableSemantics } from '../model/table-semantics.ts';
import { sqlIdent, sqlIdentDuck, sqlStr } from './escape.ts';

export { castRuleName, FAILED_RULES_COLUMN, QUARANTINED_AT_COLUMN } from '../model/table-semantics.ts';

export type SqlDialect = 'databricks' | 'duckdb';

/** Helper column holding the cast-failure rule names of a row (internal; never stored). */
export const CAST_FAILURES_COLUMN = '__cast_failures';

/** The SQL expressions that judge one table's rows, for one dialect. */
export interface CleansePlan {
  /** Whether the table declares columns (else rows pass through as `*`). */
  typed: boolean;
  /** Select list of the checked relation over the source row: typed columns, raw text, cast failures. */
  checkedSelect: string[];
  /** Condition on the checked relation: the row cast cleanly. */
  castOk: string;
  /** Condition on the checked relation: the row is in scope (`where` is not FALSE). */
  inScope: string;
  /** Condition on the checked relation: every drop rule holds. */
  dropOk: string;
  /** Condition on the checked relation: the row belongs in the clean table (cast ok, in scope, drop rules hold). */
  clean: string;
  /** Condition on the checked relation: the row belongs in quarantine. */
  quarantine: string;
  /** Select list over the checked relation producing clean rows (drop rules not applied here). */
  cleanSelect: string[];
  /** Select list over the checked relation producing quarantine rows. */
  quarantineSelect: string[];
  /** Per rule (cast rules first, then expectations): aggregates over the checked relation for quality metrics. */
  metrics: RuleMetric[];
}

/** How one rule is measured: `evaluated` rows were checked, `failed` of them broke it (both aggregate expressions). */
export interface RuleMetric {
  rule: string;
  action: ExpectationAction;
  /** Row-level condition on the checked relation, TRUE when the row breaks the rule (within `evaluated`'s scope). */
  broken: string;
  evaluated: string;
  failed: string;
}

interface Dialect {
  ident(name: string): string;
  /** Array of the non-null values among `items` (each a nullable string expression). */
  compact(items: string[]): string;
  concat(arrays: string[]): string;
  size(array: string): string;
  contains(array: string, value: string): string;
  emptyStringArray: string;
}

const DIALECTS: Record<SqlDialect, Dialect> = {
  databricks: {
    ident: sqlIdent,
    compact: (items) => `filter(array(${listBlock(items)}), r -> r IS NOT NULL)`,
    concat: (arrays) => `concat(${arrays.join(', ')})`,
    size: (a) => `size(${a})`,
    contains: (a, v) => `array_contains(${a}, ${v})`,
    emptyStringArray: 'CAST(array() AS ARRAY<STRING>)',
  },
  duckdb: {
    ident: sqlIdentDuck,
    compact: (items) => `list_filter([${listBlock(items)}], lambda r: r IS NOT NULL)`,
    concat: (arrays) => arrays.reduce((acc, a) => `list_concat(${acc}, ${a})`),
    size: (a) => `len(${a})`,
    contains: (a, v) => `list_contains(${a}, ${v})`,
    emptyStringArray: 'CAST([] AS VARCHAR[])',
  },
};

/** One item per line, so long rule lists stay readable in generated SQL. */
function listBlock(items: string[]): string {
  return items.length === 1 ? items[0]! : `\n${items.map((i) => `      ${i}`).join(',\n')}\n    `;
}

/** The source expression of a column: its `expression`, else the column itself. */
function sourceExpr(cast: CastSemantics, d: Dialect): string {
  return cast.expression !== undefined ? `(${cast.expression})` : d.ident(cast.column);
}

function holds(condition: string): string {
  return `coalesce((${condition}), false)`;
}

/** Index-named helper for a column's source text, so any declared name is safe. */
function rawColumn(index: number): string {
  return `__raw_${index}`;
}

export interface CleanseOptions {
  /** SQL for the quarantine time (default `current_timestamp`; the local engine passes its update's time). */
  quarantinedAt?: string;
}

export function cleansePlan(s: TableSemantics, dialect: SqlDialect = 'databricks', opts: CleanseOptions = {}): CleansePlan {
  const d = DIALECTS[dialect];
  const typed = s.casts.length > 0;
  const expectations = s.rules.filter((r) => r.origin === 'expectation');
  const drops = expectations.filter((e) => e.action === 'drop');

  const castChecks: string[] = [];
  const checkedSelect: string[] = [];
  // Quarantine keeps each column's source value as text; a STRING column's typed value already is that text.
  const quarantineValue = new Map<string, string>();
  if (typed) {
    s.casts.forEach((c) => {
      const src = sourceExpr(c, d);
      const cast = c.rule === undefined ? `CAST(${src} AS STRING)` : `try_cast(${src} AS ${c.type})`;
      checkedSelect.push(`${cast} AS ${d.ident(c.column)}`);
      quarantineValue.set(c.column, d.ident(c.column));
    });
    s.casts.forEach((c, i) => {
      if (c.rule === undefined) return;
      const src = sourceExpr(c, d);
      checkedSelect.push(`CAST(${src} AS STRING) AS ${d.ident(rawColumn(i))}`);
      quarantineValue.set(c.column, d.ident(rawColumn(i)));
      castChecks.push(`CASE WHEN ${src} IS NOT NULL AND try_cast(${src} AS ${c.type}) IS NULL THEN ${sqlStr(c.rule)} END`);
    });
    if (castChecks.length > 0) checkedSelect.push(`${d.compact(castChecks)} AS ${d.ident(CAST_FAILURES_COLUMN)}`);
  } else {
    checkedSelect.push('*');
  }

  const castOk = castChecks.length > 0 ? `${d.size(d.ident(CAST_FAILURES_COLUMN))} = 0` : 'TRUE';
  const inScope = s.where !== undefined ? `coalesce((${s.where}), true)` : 'TRUE';
  const dropOk = drops.length > 0 ? drops.map((e) => holds(e.condition!)).join(' AND ') : 'TRUE';
  const clean = [castOk, inScope, dropOk].filter((c) => c !== 'TRUE').join(' AND ') || 'TRUE';
  const quarantineParts: string[] = [];
  if (castOk !== 'TRUE') quarantineParts.push(`NOT (${castOk})`);
  if (drops.length > 0) quarantineParts.push(inScope === 'TRUE' ? `NOT (${dropOk})` : `(${inScope} AND NOT (${dropOk}))`);
  const quarantine = quarantineParts.length > 0 ? quarantineParts.join(' OR ') : 'FALSE';

  // A row lists the rules it was measured to break: a drop rule only where expectations are measured.
  const scope = [castOk, inScope].filter((c) => c !== 'TRUE').join(' AND ') || 'TRUE';
  const dropRuleNames = drops.map((e) => `CASE WHEN ${scope === 'TRUE' ? '' : `${scope} AND `}NOT ${holds(e.condition!)} THEN ${sqlStr(e.name)} END`);
  const ruleArrays: string[] = [];
  if (castChecks.length > 0) ruleArrays.push(d.ident(CAST_FAILURES_COLUMN));
  if (dropRuleNames.length > 0) ruleArrays.push(d.compact(dropRuleNames));
  const failedRules =
    ruleArrays.length === 0 ? d.emptyStringArray : ruleArrays.length === 1 ? ruleArrays[0]! : d.concat(ruleArrays);

  const cleanSelect = typed ? s.casts.map((c) => d.ident(c.column)) : ['*'];
  const quarantineSelect = [
    ...(typed ? s.casts.map((c) => `${quarantineValue.get(c.column)!} AS ${d.ident(c.column)}`) : ['*']),
    `${failedRules} AS ${d.ident(FAILED_RULES_COLUMN)}`,
    `${opts.quarantinedAt ?? 'current_timestamp'} AS ${d.ident(QUARANTINED_AT_COLUMN)}`,
  ];

  // Each rule is measured on the rows the semantics say: cast rules on every row, expectations on typed rows in scope.
  const metrics: RuleMetric[] = s.rules.map((r) => {
    if (r.origin === 'cast') {
      const broken = d.contains(d.ident(CAST_FAILURES_COLUMN), sqlStr(r.name));
      return { rule: r.name, action: r.action, broken, evaluated: 'count(*)', failed: `count_if(${broken})` };
    }
    const broken = scope === 'TRUE' ? `NOT ${holds(r.condition!)}` : `${scope} AND NOT ${holds(r.condition!)}`;
    return { rule: r.name, action: r.action, broken, evaluated: scope === 'TRUE' ? 'count(*)' : `count_if(${scope})`, failed: `count_if(${broken})` };
  });
  return { typed, checkedSelect, castOk, inScope, dropOk, clean, quarantine, cleanSelect, quarantineSelect, metrics };
}

/** The quarantine table's declared schema: source values as text, the broken rules, and when. */
export function quarantineColumns(s: TableSemantics): { name: string; type: string }[] {
  return s.quarantine?.columns ?? [];
}

/** SCD type 1 as SQL: the within-batch rank (1 = the winner) and the condition for replacing a stored row. */
export function dedupeSql(dedupe: DedupeSemantics, dialect: SqlDialect): { rank: string; newer: (stored: string, incoming: string) => string } {
  const d = DIALECTS[dialect];
  const seq = d.ident(dedupe.sequence_by);
  return {
    rank: `row_number() OVER (PARTITION BY ${dedupe.keys.map(d.ident).join(', ')} ORDER BY ${seq} DESC NULLS LAST)`,
    newer: (t, w) => `(${w}.${seq} > ${t}.${seq} OR (${t}.${seq} IS NULL AND ${w}.${seq} IS NOT NULL))`,
  };
}
