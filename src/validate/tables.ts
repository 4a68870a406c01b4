// Table definitions across the bundle's pipelines and notebooks: valid and unique names, sources that exist,
// the fields each kind needs, and dedupe/columns that agree.
import { declaredSchemaText, parseFileSchema } from '../model/file-schema.ts';
import type { BundleModel, TableKind, TableModel } from '../model/types.ts';
import type { Reporter } from './locate.ts';
import { identifierProblem, isInterpolated, tableNameProblem } from './names.ts';
import { closest } from './suggest.ts';

/** The kinds of table the model knows; anything else is an error (never a silent fallback to another kind). */
export const TABLE_KINDS: readonly TableKind[] = ['streaming_table', 'materialized_view', 'view'];

export interface PlacedTable {
  table: TableModel;
  /** Config-style path, e.g. `resources.pipelines.p.tables[1]` or `notebooks.ingest.tables[0]`. */
  path: string;
  /** Who builds it, for messages: `pipeline "p"` or `notebook "ingest"`. */
  owner: string;
}

export function bundleTables(model: BundleModel): PlacedTable[] {
  const placed: PlacedTable[] = [];
  for (const [key, p] of Object.entries(model.resources.pipelines)) {
    p.tables.forEach((table, i) => placed.push({ table, path: `resources.pipelines.${key}.tables[${i}]`, owner: `pipeline "${key}"` }));
  }
  for (const [key, nb] of Object.entries(model.notebooks)) {
    nb.tables.forEach((table, i) => placed.push({ table, path: `notebooks.${key}.tables[${i}]`, owner: `notebook "${key}"` }));
  }
  return placed;
}

/** Tables declared external (`app.externalTable`), lower-cased as written (`schema.table` or `catalog.schema.table`). */
export function externalTableNames(model: BundleModel): Set<string> {
  return new Set((model.external_tables ?? []).map((t) => t.name.toLowerCase()));
}

/**
 * Names of every table the bundle builds (quarantine tables included) or declares external, lower-cased
 * (Unity Catalog names are case-insensitive).
 */
export function definedTableNames(model: BundleModel): Set<string> {
  const names = new Set(externalTableNames(model));
  for (const { table } of bundleTables(model)) {
    names.add(table.name.toLowerCase());
    const q = table.quarantine_table;
    if (q) names.add((q.includes('.') ? q : `${table.name.split('.')[0]}.${q}`).toLowerCase());
  }
  return names;
}

function checkNames({ table, path }: PlacedTable, out: Reporter): void {
  const problem = tableNameProblem(table.name);
  if (problem) out.report('error', `${path}.name`, `Table name "${table.name}" ${problem}.`, table.location);
  const columns = table.columns ?? [];
  columns.forEach((c, i) => {
    const columnProblem = identifierProblem(c.name);
    if (columnProblem) out.report('error', `${path}.columns[${i}].name`, `Column "${c.name}" of table "${table.name}" ${columnProblem}.`, table.location);
    if (columns.findIndex((o) => o.name.toLowerCase() === c.name.toLowerCase()) !== i) {
      out.report('error', `${path}.columns[${i}].name`, `Table "${table.name}" declares column "${c.name}" more than once.`, table.location);
    }
  });
  if (table.quarantine_table) {
    const q = table.quarantine_table;
    const qProblem = q.includes('.') ? tableNameProblem(q) : identifierProblem(q);
    if (qProblem) out.report('error', `${path}.quarantine_table`, `Quarantine table name "${q}" of table "${table.name}" ${qProblem}.`, table.location);
  }
  table.expectations.forEach((e, i) => {
    if (table.expectations.findIndex((o) => o.name === e.name) !== i) {
      out.report('error', `${path}.expectations[${i}].name`, `Table "${table.name}" has more than one expectation named "${e.name}".`, table.location);
    }
  });
}

function checkKind({ table, path }: PlacedTable, out: Reporter): boolean {
  if ((TABLE_KINDS as readonly string[]).includes(table.kind)) return true;
  const suggestion = typeof table.kind === 'string' ? closest(table.kind, TABLE_KINDS) : undefined;
  out.report(
    'error',
    `${path}.kind`,
    `Table "${table.name}" has kind ${JSON.stringify(table.kind)}, which is not a kind of table${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; kinds: ${TABLE_KINDS.join(', ')}.`,
    table.location,
  );
  return false;
}

function checkShape({ table, path }: PlacedTable, defined: Set<string>, out: Reporter): void {
  const loc = table.location;
  if (table.kind === 'streaming_table' && !table.source) {
    out.report('error', `${path}.source`, `Streaming table "${table.name}" has no source (files or another table).`, loc);
  }
  if (table.kind !== 'streaming_table' && !table.query) {
    out.report('error', `${path}.query`, `${table.kind === 'view' ? 'View' : 'Materialized view'} "${table.name}" has no query.`, loc);
  }
  const schemaText = table.source?.type === 'files' ? declaredSchemaText(table.source.options) : undefined;
  const schema = schemaText !== undefined ? parseFileSchema(schemaText) : undefined;
  if (schema && 'problem' in schema) {
    out.report('error', `${path}.source.options.schema`, `The schema of the files source of table "${table.name}" ${schema.problem}.`, loc);
  }
  if (table.source?.type === 'table' && !defined.has(table.source.table.toLowerCase())) {
    out.report('error', `${path}.source.table`, `Table "${table.name}" reads from "${table.source.table}", which no pipeline or notebook of the bundle defines and the bundle does not declare external.`, loc);
  }
  if (table.dedupe && table.columns) {
    const columns = new Set(table.columns.map((c) => c.name.toLowerCase()));
    const used = [...table.dedupe.keys.map((k, i) => ({ name: k, at: `keys[${i}]` })), { name: table.dedupe.sequence_by, at: 'sequence_by' }];
    for (const { name, at } of used) {
      if (!columns.has(name.toLowerCase())) {
        out.report('error', `${path}.dedupe.${at}`, `Table "${table.name}" deduplicates by "${name}", which is not one of its declared columns.`, loc);
      }
    }
  }
}

/** Declaration order, so the second definition in the user's code is the one reported. */
function byDeclaration(a: PlacedTable, b: PlacedTable): number {
  const la = a.table.location;
  const lb = b.table.location;
  if (!la || !lb) return la ? -1 : lb ? 1 : 0;
  return la.file.localeCompare(lb.file) || la.line - lb.line || (la.column ?? 0) - (lb.column ?? 0);
}

function checkDuplicates(tables: PlacedTable[], out: Reporter): void {
  const first = new Map<string, PlacedTable>();
  for (const placed of [...tables].sort(byDeclaration)) {
    const key = placed.table.name.toLowerCase();
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, placed);
      continue;
    }
    out.report('error', `${placed.path}.name`, `Table "${placed.table.name}" is defined twice: by ${placed.owner} and by ${earlier.owner} (${out.where(earlier.path, earlier.table.location)}).`, placed.table.location);
  }
}

/** The catalog and the pipelines' target schemas are Unity Catalog names too. */
function checkCatalogAndSchemas(model: BundleModel, out: Reporter): void {
  if (model.catalog !== '' && !isInterpolated(model.catalog)) {
    const problem = identifierProblem(model.catalog);
    if (problem) out.report('error', 'catalog', `Catalog name "${model.catalog}" (target "${model.target.name}") ${problem}.`);
  }
  for (const [key, p] of Object.entries(model.resources.pipelines)) {
    const schema = p.settings.schema;
    if (typeof schema !== 'string' || isInterpolated(schema)) continue;
    const problem = identifierProblem(schema);
    if (problem) out.report('error', `resources.pipelines.${key}.schema`, `Schema name "${schema}" of pipeline "${key}" ${problem}.`);
  }
}

export function checkTables(model: BundleModel, out: Reporter): void {
  const tables = bundleTables(model);
  const defined = definedTableNames(model);
  for (const placed of tables) {
    checkNames(placed, out);
    if (checkKind(placed, out)) checkShape(placed, defined, out);
  }
  checkDuplicates(tables, out);
  checkCatalogAndSchemas(model, out);
}
