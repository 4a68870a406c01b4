// The tables' part of resolving: one way to name the catalog in table SQL and paths, and what every pipeline
// needs to substitute it. Table text may name the catalog as `${catalog}` (what the runtimes substitute) or as
// the catalog variable (`${var.catalog}`, e.g. through a volume's path); both become `${catalog}` here, so
// synth, validate and the local engine see one spelling. A pipeline whose tables are written with `${catalog}`
// gets `catalog` in its configuration (its own catalog), as notebooks get their `catalog` widget.
import { CATALOG_PLACEHOLDER, varRef } from '../constructs/refs.ts';
import { catalogSchemas, namespacedText, schemaNameRef, schemaParameter } from './namespace.ts';
import type { BundleModel, SourceLocation, TableModel } from './types.ts';

function normalizeText(text: string, catalogVariable: string): string {
  return text.replaceAll(varRef(catalogVariable), CATALOG_PLACEHOLDER);
}

function normalizeTable(t: TableModel, catalogVariable: string): TableModel {
  const n = (text: string) => normalizeText(text, catalogVariable);
  const out: TableModel = { ...t, name: n(t.name), expectations: t.expectations.map((e) => ({ ...e, condition: n(e.condition) })) };
  if (t.source) out.source = t.source.type === 'files' ? { ...t.source, path: n(t.source.path) } : { type: 'table', table: n(t.source.table) };
  if (t.columns) out.columns = t.columns.map((c) => (c.expression === undefined ? c : { ...c, expression: n(c.expression) }));
  if (t.where !== undefined) out.where = n(t.where);
  if (t.query !== undefined) out.query = n(t.query);
  if (t.quarantine_table !== undefined) out.quarantine_table = n(t.quarantine_table);
  return out;
}

export function finishTables(model: BundleModel, catalogVariable: string, external: readonly { name: string; location: SourceLocation | undefined }[]): void {
  for (const pipeline of Object.values(model.resources.pipelines)) {
    pipeline.tables = pipeline.tables.map((t) => normalizeTable(t, catalogVariable));
    const settings = pipeline.settings as Record<string, unknown> & { configuration?: Record<string, unknown> };
    const configuration = settings.configuration ?? {};
    const catalog = settings['catalog'] ?? (catalogVariable in model.variables ? varRef(catalogVariable) : undefined);
    if (pipeline.tables.length > 0 && !('catalog' in configuration) && catalog !== undefined) {
      settings.configuration = { ...configuration, catalog };
    }
  }
  for (const nb of Object.values(model.notebooks)) nb.tables = nb.tables.map((t) => normalizeTable(t, catalogVariable));
  parameteriseSchemas(model, catalogVariable);
  if (external.length > 0) model.external_tables = external.map((e) => ({ name: e.name, ...(e.location ? { location: e.location } : {}) }));
}

/**
 * Target isolation (see namespace.ts): every pipeline and notebook that gets the catalog also gets the deployed
 * name of each schema of the bundle's catalog (`schema_<name>`: `${resources.schemas.<key>.name}`), in its
 * configuration or widgets and in the job tasks that run it; volume paths in those values name the schema so too.
 */
function parameteriseSchemas(model: BundleModel, catalogVariable: string): void {
  const schemas = catalogSchemas(model.resources.schemas, varRef(catalogVariable));
  if (Object.keys(schemas).length === 0) return;
  model.schema_keys = schemas;
  const parameters = Object.fromEntries(Object.entries(schemas).map(([name, key]) => [schemaParameter(name), schemaNameRef(key)]));
  const withSchemas = (values: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...parameters };
    for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'string' ? namespacedText(v, schemas, varRef(catalogVariable), (_n, key) => schemaNameRef(key)) : v;
    return out;
  };
  for (const pipeline of Object.values(model.resources.pipelines)) {
    const settings = pipeline.settings as Record<string, unknown> & { configuration?: Record<string, unknown> };
    if (settings.configuration && 'catalog' in settings.configuration) settings.configuration = withSchemas(settings.configuration);
  }
  const notebookPaths = new Set<string>();
  for (const nb of Object.values(model.notebooks)) {
    if (!('catalog' in nb.widgets)) continue;
    nb.widgets = withSchemas(nb.widgets) as Record<string, string>;
    notebookPaths.add(nb.path);
  }
  for (const job of Object.values(model.resources.jobs)) {
    for (const task of job.settings.tasks) {
      const nb = task['notebook_task'] as { notebook_path?: string; base_parameters?: Record<string, unknown> } | undefined;
      if (!nb || nb.notebook_path === undefined || !notebookPaths.has(nb.notebook_path)) continue;
      nb.base_parameters = withSchemas(nb.base_parameters ?? {});
    }
  }
}
