// The tables' part of resolving: one way to name the catalog in table SQL and paths, and what every pipeline
// needs to substitute it. Table text may name the catalog as `${catalog}` (what the runtimes substitute) or as
// the catalog variable (`${var.catalog}`, e.g. through a volume's path); both become `${catalog}` here, so
// synth, validate and the local engine see one spelling. A pipeline whose tables are written with `${catalog}`
// gets `catalog` in its configuration (its own catalog), as notebooks get their `catalog` widget.
import { CATALOG_PLACEHOLDER, varRef } from '../constructs/refs.ts';
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
  if (external.length > 0) model.external_tables = external.map((e) => ({ name: e.name, ...(e.location ? { location: e.location } : {}) }));
}
