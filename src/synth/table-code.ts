// TableModel → Python for a Databricks notebook: one spec (a dict literal of SQL texts) per table, run by
// notebooks-src/lib/tables_runtime.py. Every SQL text comes from cleanse-code.ts and every value is escaped
// with pyValue, so the model can't inject Python or SQL; `${catalog}` stays in the text and the runtime
// substitutes the catalog widget's value.
import type { TableModel } from '../model/types.ts';
import { autoLoaderOptionKey, isPassThrough, tableSemantics, unknownKind, type TableSemantics } from '../model/table-semantics.ts';
import { UserError } from '../errors/index.ts';
import { cleansePlan, dedupeSql, quarantineColumns, type CleansePlan } from './cleanse-code.ts';
import { pyValue, singleLine, splitTableName, sqlIdent, sqlStrDatabricks, sqlTableRef, type PyLiteralValue } from './escape.ts';
import { requireQuery, requireSource } from './table-requirements.ts';

export interface TableCodeOptions {
  /** Directory under which each streaming table keeps its checkpoint (`<root>/<schema>/<table>`). */
  checkpointRoot?: string;
}

type Spec = { [key: string]: PyLiteralValue };

/** The notebook cells that build `tables` in order (with the imported runtime `rt`), ending with the quality report. */
export function pyTableCells(tables: TableModel[], opts: TableCodeOptions = {}): string[] {
  const cells = tables.map((t) => `# ${pyCommentText(t.name)} (${t.kind.replaceAll('_', ' ')})\nrt.run_table(${pyValue(tableSpec(t, opts), 0)})`);
  cells.push('rt.report_quality()');
  return cells;
}

/**
 * Tables worth compacting after a build: the notebook's own stored tables, and the tables its views read
 * (written `${catalog}.<schema>.<table>` in their queries), in first-seen order.
 */
export function optimizeTargets(tables: TableModel[]): string[] {
  const views = new Set(tables.filter((t) => t.kind === 'view').map((t) => t.name));
  const out: string[] = [];
  const add = (name: string) => {
    if (!views.has(name) && !out.includes(name)) out.push(name);
  };
  for (const t of tables) {
    if (t.kind !== 'view') add(t.name);
    for (const m of (t.query ?? '').matchAll(/\$\{catalog\}\.`?([A-Za-z0-9_]+)`?\.`?([A-Za-z0-9_]+)`?/g)) add(`${m[1]}.${m[2]}`);
  }
  return out;
}

/** A cell that runs OPTIMIZE (with ZORDER on columns picked from each table's schema) over `names`. */
export function pyOptimizeCell(names: string[]): string {
  return `rt.optimize_tables(${pyValue(names.map(sqlTableRef), 0)})`;
}

/** The spec the runtime executes for one table. */
export function tableSpec(t: TableModel, opts: TableCodeOptions = {}): Spec {
  const s = tableSemantics(t);
  switch (t.kind) {
    case 'view':
      return { name: t.name, kind: t.kind, create: `CREATE OR REPLACE VIEW ${sqlTableRef(t.name)}${commentClause(t)} AS\n${requireQuery(t)}` };
    case 'materialized_view':
      return materializedSpec(t, s);
    case 'streaming_table':
      return streamingSpec(t, s, opts);
    default:
      return unknownKind(t);
  }
}

function materializedSpec(t: TableModel, s: TableSemantics): Spec {
  const plan = cleansePlan(s);
  const query = requireQuery(t).trim();
  const spec: Spec = {
    name: t.name,
    kind: t.kind,
    query,
    create: `CREATE OR REPLACE TABLE ${sqlTableRef(t.name)}${commentClause(t)} AS\n${selectOver(plan.cleanSelect, query, plan.clean)}`,
    clean_select: plan.cleanSelect,
    metrics: metricSpecs(plan),
    measure: measureSpec(plan),
  };
  if (s.quarantine) {
    spec.quarantine = {
      create: `CREATE OR REPLACE TABLE ${sqlTableRef(s.quarantine.table)} AS\n${selectOver(plan.quarantineSelect, query, plan.quarantine)}`,
    };
  }
  return spec;
}

function streamingSpec(t: TableModel, s: TableSemantics, opts: TableCodeOptions): Spec {
  requireSource(t);
  const plan = cleansePlan(s);
  const { schema, table } = splitTableName(t.name);
  const checkpoint = `${checkpointRootFor(t, opts)}/${schema}/${table}`;
  const base: Spec = { name: t.name, kind: t.kind, target: sqlTableRef(t.name), source: sourceSpec(s), checkpoint };
  // Columns a files source adds to each row (file path, ingestion time), as the semantics decide.
  const metadata = s.fileMetadata.map((m) => `${m.databricks} AS ${sqlIdent(m.name)}`);
  if (isPassThrough(s) && !s.quarantine) {
    return {
      ...base,
      simple: true,
      metadata,
      finish: t.comment ? [`COMMENT ON TABLE ${sqlTableRef(t.name)} IS ${sqlStrDatabricks(t.comment)}`] : [],
    };
  }
  const setup: string[] = [];
  if (plan.typed) setup.push(createTableSql(t.name, t.columns ?? [], t.comment));
  const spec: Spec = {
    ...base,
    simple: false,
    setup,
    checked: [...plan.checkedSelect, ...metadata],
    clean_filter: plan.clean,
    clean_select: plan.cleanSelect,
    metrics: metricSpecs(plan),
    measure: measureSpec(plan),
  };
  if (s.quarantine) {
    if (plan.typed) setup.push(createTableSql(s.quarantine.table, quarantineColumns(s), `Rows of ${t.name} that failed a cast or a drop expectation.`));
    spec.quarantine = { target: sqlTableRef(s.quarantine.table), filter: plan.quarantine, select: plan.quarantineSelect };
  }
  if (s.dedupe) spec.dedupe = dedupeSpec(t, s);
  return spec;
}

/** Window rank and MERGE that keep the newest row per key (SCD type 1), as the semantics decide. */
function dedupeSpec(t: TableModel, s: TableSemantics): Spec {
  const { rank, newer } = dedupeSql(s.dedupe!, 'databricks');
  const view = `__dbx_updates_${splitTableName(t.name).table.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const on = s.dedupe!.keys.map((k) => `t.${sqlIdent(k)} <=> s.${sqlIdent(k)}`).join(' AND ');
  return {
    rank,
    view,
    merge: [
      `MERGE INTO ${sqlTableRef(t.name)} AS t`,
      `USING ${sqlIdent(view)} AS s`,
      `ON ${on}`,
      `WHEN MATCHED AND ${newer('t', 's')} THEN UPDATE SET *`,
      'WHEN NOT MATCHED THEN INSERT *',
    ].join('\n'),
  };
}

function metricSpecs(plan: CleansePlan): Spec[] {
  return plan.metrics.map((m) => ({ rule: m.rule, action: m.action, broken: m.broken }));
}

/** One aggregation over the checked rows: `__e<i>` rows evaluated and `__f<i>` rows failed, per rule. */
function measureSpec(plan: CleansePlan): string[] {
  return plan.metrics.flatMap((m, i) => [`${m.evaluated} AS \`__e${i}\``, `${m.failed} AS \`__f${i}\``]);
}

function sourceSpec(s: TableSemantics): Spec {
  const source = s.source!;
  if (source.type === 'table') return { type: 'table', table: sqlTableRef(source.table) };
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.fileOptions ?? {})) options[autoLoaderOptionKey(k)] = v;
  return { type: 'files', path: source.path, format: source.format, options };
}

/** `CREATE TABLE IF NOT EXISTS` with the declared schema, so appends and MERGE enforce it. */
export function createTableSql(name: string, columns: { name: string; type: string; comment?: string }[], comment?: string): string {
  const cols = columns.map((c) => `  ${sqlIdent(c.name)} ${c.type}${c.comment ? ` COMMENT ${sqlStrDatabricks(c.comment)}` : ''}`);
  return `CREATE TABLE IF NOT EXISTS ${sqlTableRef(name)} (\n${cols.join(',\n')}\n)${comment ? `\nCOMMENT ${sqlStrDatabricks(comment)}` : ''}`;
}

function selectOver(select: string[], query: string, where: string): string {
  if (where === 'TRUE' && select.length === 1 && select[0] === '*') return query;
  const filter = where === 'TRUE' ? '' : `\nWHERE ${where}`;
  return `SELECT ${select.join(', ')}\nFROM (\n${query}\n) AS __source${filter}`;
}

function commentClause(t: TableModel): string {
  return t.comment ? ` COMMENT ${sqlStrDatabricks(t.comment)}` : '';
}

/**
 * Where checkpoints live: the given root, else `_checkpoints` in the volume of the first file source
 * (`/Volumes/<catalog>/<schema>/<volume>`). Auto Loader skips paths starting with `_`.
 */
function checkpointRootFor(t: TableModel, opts: TableCodeOptions): string {
  if (opts.checkpointRoot) return opts.checkpointRoot.replace(/\/+$/, '');
  throw new UserError(
    `Streaming table ${t.name} needs a checkpoint location.`,
    'Give the notebook a file source in a Unity Catalog volume, or set its `checkpoint_root` parameter.',
  );
}

/** The volume directory (`/Volumes/<catalog>/<schema>/<volume>`) of the first file source, if any. */
export function defaultCheckpointRoot(tables: TableModel[]): string | undefined {
  for (const t of tables) {
    if (t.source?.type !== 'files') continue;
    const parts = t.source.path.split('/');
    if (parts[0] === '' && parts[1] === 'Volumes' && parts.length >= 5) return `${parts.slice(0, 5).join('/')}/_checkpoints`;
  }
  return undefined;
}

/** Text safe in a `#` comment: one line. */
export function pyCommentText(text: string): string {
  return singleLine(text);
}

