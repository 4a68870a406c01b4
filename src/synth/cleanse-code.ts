// The cleansing rules of one table as SQL expressions: schema enforcement with try_cast, the rules
// each row breaks, and the clean / quarantine split. Pipeline SQL, the notebooks and the local engine
// all build on these, so a row is judged the same way wherever it runs.
//
// Semantics (shared by every runtime):
// - Each declared column is `try_cast((expression) AS type)`. A non-null source value whose cast gives
//   NULL breaks the rule `cast:<column>`.
// - An expectation holds when its condition is TRUE; NULL counts as broken (as a row filter would drop it).
// - `where` filters typed rows that cast cleanly: rows it makes FALSE are out of scope, neither clean nor
//   quarantined. NULL keeps a row in scope, so a row only leaves when the filter says so.
// - Clean rows: no cast failure, `where` holds, every drop rule holds. Fail rules stop the run when broken;
//   warn rules are counted only.
// - Quarantine rows: a cast failure, or (in scope and) a broken drop rule. They keep the source values
//   as text under the declared column names, plus `_failed_rules` (array of rule names) and `_quarantined_at`.
import type { ColumnModel, ExpectationModel, TableModel } from '../model/types.ts';
import { sqlIdent, sqlIdentDuck, sqlStr } from './escape.ts';

export type SqlDialect = 'databricks' | 'duckdb';

/** Helper column holding the cast-failure rule names of a row (internal; never stored). */
export const CAST_FAILURES_COLUMN = '__cast_failures';
/** Column of the quarantine table listing the rules a row broke. */
export const FAILED_RULES_COLUMN = '_failed_rules';
/** Column of the quarantine table with the time the row was quarantined. */
export const QUARANTINED_AT_COLUMN = '_quarantined_at';

/** Rule name a failed cast of `column` is reported under. */
export function castRuleName(column: string): string {
  return `cast:${column}`;
}

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
  action: ExpectationModel['action'];
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
function sourceExpr(column: ColumnModel, d: Dialect): string {
  return column.expression !== undefined ? `(${column.expression})` : d.ident(column.name);
}

function holds(condition: string): string {
  return `coalesce((${condition}), false)`;
}

/** Index-named helper for a column's source text, so any declared name is safe. */
function rawColumn(index: number): string {
  return `__raw_${index}`;
}

export function cleansePlan(table: TableModel, dialect: SqlDialect = 'databricks'): CleansePlan {
  const d = DIALECTS[dialect];
  const columns = table.columns ?? [];
  const typed = columns.length > 0;
  const drops = table.expectations.filter((e) => e.action === 'drop');

  const castChecks: string[] = [];
  const checkedSelect: string[] = [];
  // Quarantine keeps each column's source value as text; a STRING column's typed value already is that text.
  const quarantineValue = new Map<string, string>();
  if (typed) {
    columns.forEach((c) => {
      const src = sourceExpr(c, d);
      const cast = c.type === 'STRING' ? `CAST(${src} AS STRING)` : `try_cast(${src} AS ${c.type})`;
      checkedSelect.push(`${cast} AS ${d.ident(c.name)}`);
      quarantineValue.set(c.name, d.ident(c.name));
    });
    columns.forEach((c, i) => {
      if (c.type === 'STRING') return; // a cast to STRING can't fail
      const src = sourceExpr(c, d);
      checkedSelect.push(`CAST(${src} AS STRING) AS ${d.ident(rawColumn(i))}`);
      quarantineValue.set(c.name, d.ident(rawColumn(i)));
      castChecks.push(`CASE WHEN ${src} IS NOT NULL AND try_cast(${src} AS ${c.type}) IS NULL THEN ${sqlStr(castRuleName(c.name))} END`);
    });
    if (castChecks.length > 0) checkedSelect.push(`${d.compact(castChecks)} AS ${d.ident(CAST_FAILURES_COLUMN)}`);
  } else {
    checkedSelect.push('*');
  }

  const castOk = castChecks.length > 0 ? `${d.size(d.ident(CAST_FAILURES_COLUMN))} = 0` : 'TRUE';
  const inScope = table.where !== undefined ? `coalesce((${table.where}), true)` : 'TRUE';
  const dropOk = drops.length > 0 ? drops.map((e) => holds(e.condition)).join(' AND ') : 'TRUE';
  const clean = [castOk, inScope, dropOk].filter((c) => c !== 'TRUE').join(' AND ') || 'TRUE';
  const quarantineParts: string[] = [];
  if (castOk !== 'TRUE') quarantineParts.push(`NOT (${castOk})`);
  if (drops.length > 0) quarantineParts.push(inScope === 'TRUE' ? `NOT (${dropOk})` : `(${inScope} AND NOT (${dropOk}))`);
  const quarantine = quarantineParts.length > 0 ? quarantineParts.join(' OR ') : 'FALSE';

  const dropRuleNames = drops.map((e) => `CASE WHEN ${holds(e.condition)} THEN NULL ELSE ${sqlStr(e.name)} END`);
  const ruleArrays: string[] = [];
  if (castChecks.length > 0) ruleArrays.push(d.ident(CAST_FAILURES_COLUMN));
  if (dropRuleNames.length > 0) ruleArrays.push(d.compact(dropRuleNames));
  const failedRules =
    ruleArrays.length === 0 ? d.emptyStringArray : ruleArrays.length === 1 ? ruleArrays[0]! : d.concat(ruleArrays);

  const cleanSelect = typed ? columns.map((c) => d.ident(c.name)) : ['*'];
  const quarantineSelect = [
    ...(typed ? columns.map((c) => `${quarantineValue.get(c.name)!} AS ${d.ident(c.name)}`) : ['*']),
    `${failedRules} AS ${d.ident(FAILED_RULES_COLUMN)}`,
    `current_timestamp AS ${d.ident(QUARANTINED_AT_COLUMN)}`,
  ];

  // Expectations are measured on rows that cast cleanly and are in scope; cast rules on every row.
  const scope = [castOk, inScope].filter((c) => c !== 'TRUE').join(' AND ') || 'TRUE';
  const metrics: RuleMetric[] = [];
  for (const c of columns) {
    if (c.type === 'STRING') continue;
    const broken = d.contains(d.ident(CAST_FAILURES_COLUMN), sqlStr(castRuleName(c.name)));
    metrics.push({ rule: castRuleName(c.name), action: 'drop', broken, evaluated: 'count(*)', failed: `count_if(${broken})` });
  }
  for (const e of table.expectations) {
    const broken = scope === 'TRUE' ? `NOT ${holds(e.condition)}` : `${scope} AND NOT ${holds(e.condition)}`;
    metrics.push({
      rule: e.name,
      action: e.action,
      broken,
      evaluated: scope === 'TRUE' ? 'count(*)' : `count_if(${scope})`,
      failed: `count_if(${broken})`,
    });
  }
  return { typed, checkedSelect, castOk, inScope, dropOk, clean, quarantine, cleanSelect, quarantineSelect, metrics };
}

/** The quarantine table's declared schema: source values as text, the broken rules, and when. */
export function quarantineColumns(table: TableModel): { name: string; type: string }[] {
  return [
    ...(table.columns ?? []).map((c) => ({ name: c.name, type: 'STRING' })),
    { name: FAILED_RULES_COLUMN, type: 'ARRAY<STRING>' },
    { name: QUARANTINED_AT_COLUMN, type: 'TIMESTAMP' },
  ];
}
