// Schema enforcement and expectations as one SELECT: declared columns are try_cast, every rule becomes a bit
// in `__dbx_mask`, and the raw values of rows that will be quarantined are kept beside them.

import { UserError } from '../../errors/index.ts';
import type { ColumnModel, ExpectationAction, TableModel } from '../../model/types.ts';
import { quoteIdent, quoteLiteral } from '../../sql/quote.ts';
import type { SchemaColumn } from './autoloader.ts';
import type { Executor } from './executor.ts';
import { substituteCatalog } from './names.ts';

export interface Rule {
  name: string;
  action: ExpectationAction;
  /** `cast_<column>` rules come from schema enforcement; the rest are the table's expectations. */
  origin: 'cast' | 'expectation';
  bit: bigint;
}

export interface StagePlan {
  /** SELECT producing the target columns, kept raw columns and `__dbx_mask`. */
  sql: string;
  targetColumns: string[];
  rules: Rule[];
  /** Bit set when the `where` filter removes the row; no rule is evaluated for such a row. */
  filteredBit: bigint;
  /** Rules whose failure keeps the row out of the table (drop actions and failed casts). */
  rejectMask: bigint;
  /** Source columns as the quarantine table stores them: the SQL (over the stage) giving each raw value. */
  quarantineColumns: { name: string; sql: string }[];
}

export const MASK = '__dbx_mask';
const CAST_BITS = '__dbx_castbits';
const RAW_PREFIX = '__dbx_raw_';
/** Bit 0 marks filtered rows; rules take bits 1..62 of a signed BIGINT. */
const MAX_RULES = 62;

/**
 * Plans the stage for `table` over `sourceSql` (whose columns are `sourceColumns`). Columns the source carries
 * but the table does not declare are dropped, except the Auto Loader columns listed in `carry`.
 */
export async function planStage(
  ex: Executor,
  table: TableModel,
  catalog: string,
  sourceSql: string,
  sourceColumns: readonly SchemaColumn[],
  carry: readonly string[],
  keepRaw: boolean,
): Promise<StagePlan> {
  const declared = declaredColumns(table, sourceColumns, carry);
  const inputs = declared.map((c) => (c.expression ? `(${substituteCatalog(c.expression, catalog)})` : quoteIdent(c.name)));
  const types = await inputTypes(ex, table.name, sourceSql, inputs, declared);

  const rules: Rule[] = [];
  const addRule = (name: string, action: ExpectationAction, origin: Rule['origin']) => {
    if (rules.length >= MAX_RULES) throw new UserError(`Table ${table.name} has more than ${MAX_RULES} rules; the local engine tracks at most ${MAX_RULES}.`);
    const rule: Rule = { name, action, origin, bit: 1n << BigInt(rules.length + 1) };
    rules.push(rule);
    return rule;
  };

  const values: string[] = [];
  const castBits: string[] = [];
  declared.forEach((column, i) => {
    const input = inputs[i]!;
    const { input: inputType, target } = types[i]!;
    if (column.type === undefined || inputType === target) {
      values.push(`${input} AS ${quoteIdent(column.name)}`);
      return;
    }
    // A value that is present but will not cast is a bad row, never a silent NULL.
    const cast = `try_cast(${input} AS ${column.type})`;
    values.push(`${cast} AS ${quoteIdent(column.name)}`);
    const rule = addRule(`cast_${column.name}`, 'drop', 'cast');
    castBits.push(`CASE WHEN ${input} IS NOT NULL AND ${cast} IS NULL THEN ${rule.bit} ELSE 0 END`);
  });

  const expectationBits: string[] = [];
  const names = new Set(rules.map((r) => r.name));
  for (const expectation of table.expectations) {
    if (names.has(expectation.name)) throw new UserError(`Table ${table.name} has two rules named ${expectation.name}.`);
    names.add(expectation.name);
    const rule = addRule(expectation.name, expectation.action, 'expectation');
    // A condition that is NULL is not met: the row fails, as a filter on the condition would drop it.
    expectationBits.push(`CASE WHEN coalesce((${substituteCatalog(expectation.condition, catalog)}), false) THEN 0 ELSE ${rule.bit} END`);
  }

  const rejectMask = rules.filter((r) => r.action === 'drop').reduce((m, r) => m | r.bit, 0n);
  const targetColumns = declared.map((c) => c.name);

  // Raw source values are kept only where they differ from the stored column and only for rejected rows.
  const raw: { name: string; staged: string }[] = [];
  const quarantineColumns: { name: string; sql: string }[] = [];
  if (keepRaw && rejectMask !== 0n) {
    sourceColumns.forEach((source, i) => {
      const same = declared.find((c, j) => c.name === source.name && !c.expression && types[j]!.target === source.type);
      if (same) quarantineColumns.push({ name: source.name, sql: quoteIdent(source.name) });
      else {
        const staged = `${RAW_PREFIX}${i}`;
        raw.push({ name: source.name, staged });
        quarantineColumns.push({ name: source.name, sql: quoteIdent(staged) });
      }
    });
  }

  const inner = [
    ...values,
    ...raw.map((r) => `${quoteIdent(r.name)} AS ${quoteIdent(r.staged)}`),
    `CAST(${castBits.length ? castBits.join(' | ') : '0'} AS BIGINT) AS ${CAST_BITS}`,
  ];
  const ruleBits = [CAST_BITS, ...expectationBits].join(' | ');
  const filtered = table.where ? `NOT coalesce((${substituteCatalog(table.where, catalog)}), false)` : 'false';
  const masked = `SELECT * EXCLUDE (${CAST_BITS}), CASE WHEN ${filtered} THEN 1 ELSE (${ruleBits}) END AS ${MASK}
    FROM (SELECT ${inner.join(', ')} FROM (${sourceSql}) AS __dbx_src) AS __dbx_typed`;
  const sql =
    raw.length === 0
      ? masked
      : `SELECT * REPLACE (${raw
          .map((r) => `CASE WHEN (${MASK} & ${rejectMask}) <> 0 THEN ${quoteIdent(r.staged)} END AS ${quoteIdent(r.staged)}`)
          .join(', ')}) FROM (${masked}) AS __dbx_masked`;
  return { sql, targetColumns, rules, filteredBit: 1n, rejectMask, quarantineColumns };
}

/** True when the stage changes nothing: no casts, rules, filter or raw copies. Such tables skip staging. */
export function isPassThrough(table: TableModel): boolean {
  return !table.columns?.length && table.expectations.length === 0 && !table.where;
}

type DeclaredColumn = Omit<ColumnModel, 'type'> & { type?: string };

/** The table's columns: declared ones (plus the carried Auto Loader columns), or every source column. */
function declaredColumns(table: TableModel, sourceColumns: readonly SchemaColumn[], carry: readonly string[]): DeclaredColumn[] {
  if (!table.columns?.length) return sourceColumns.map((c) => ({ name: c.name }));
  const declared: DeclaredColumn[] = [...table.columns];
  for (const name of carry) {
    if (!declared.some((c) => c.name === name)) declared.push({ name });
  }
  const seen = new Set<string>();
  for (const column of declared) {
    if (seen.has(column.name)) throw new UserError(`Table ${table.name} declares column ${column.name} twice.`);
    seen.add(column.name);
  }
  return declared;
}

/** The type each column's input has, and the type it must become, as DuckDB spells them. */
async function inputTypes(
  ex: Executor,
  tableName: string,
  sourceSql: string,
  inputs: readonly string[],
  declared: readonly DeclaredColumn[],
): Promise<{ input: string; target: string }[]> {
  if (declared.length === 0) return [];
  const probe = declared.flatMap((c, i) => [
    `${inputs[i]} AS ${quoteIdent(`i${i}`)}`,
    `CAST(NULL AS ${c.type ?? 'VARCHAR'}) AS ${quoteIdent(`t${i}`)}`,
  ]);
  let described;
  try {
    described = await ex.rows(`DESCRIBE SELECT ${probe.join(', ')} FROM (${sourceSql}) AS __dbx_src`);
  } catch (error) {
    throw new UserError(`A column expression of ${tableName} does not compile: ${(error as Error).message.split('\n')[0]}`);
  }
  const typeOf = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
  return declared.map((c, i) => {
    const input = typeOf.get(`i${i}`) ?? 'VARCHAR';
    return { input, target: c.type === undefined ? input : (typeOf.get(`t${i}`) ?? input) };
  });
}

/** SQL list of the names of the rules a staged row broke. */
export function failedRulesSql(rules: readonly Rule[]): string {
  if (rules.length === 0) return 'CAST([] AS VARCHAR[])';
  const items = rules.map((r) => `CASE WHEN (${MASK} & ${r.bit}) <> 0 THEN ${quoteLiteral(r.name)} END`);
  return `list_filter([${items.join(', ')}], x -> x IS NOT NULL)`;
}
