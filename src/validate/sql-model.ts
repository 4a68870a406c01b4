// Runs the SQL portability check over every SQL string in the model: table columns' expressions, expectations,
// filters and queries, and dashboard dataset queries. Placeholders are checked against what the runtime that
// runs the text substitutes: a pipeline's configuration keys, a notebook's widgets, a dashboard's catalog and
// schema. (Which tables a query reads, and whether its columns exist, DuckDB's binder checks: sql-bind.ts.)
import type { BundleModel, SourceLocation } from '../model/types.ts';
import type { Reporter } from './locate.ts';
import { checkSql, type SqlCheckOptions } from './sql-subset.ts';
import { bundleTables } from './tables.ts';

interface SqlText {
  sql: string;
  path: string;
  /** What the text is, for messages: `query of table "gold.x"`. */
  subject: string;
  location?: SourceLocation;
  options: SqlCheckOptions;
}

/** The placeholders the tables of a pipeline or notebook may use, and how to add one. */
function placeholdersFor(model: BundleModel, path: string): SqlCheckOptions {
  const pipeline = /^resources\.pipelines\.([^.[]+)\./.exec(path)?.[1];
  if (pipeline !== undefined) {
    const configuration = (model.resources.pipelines[pipeline]?.settings['configuration'] ?? {}) as Record<string, unknown>;
    return {
      placeholders: Object.keys(configuration),
      placeholderHint: `a pipeline substitutes its configuration keys, so add it to the configuration of pipeline "${pipeline}" (configuration: { key: value })`,
    };
  }
  const notebook = /^notebooks\.([^.[]+)\./.exec(path)?.[1] ?? '';
  return {
    placeholders: [...new Set(['catalog', ...Object.keys(model.notebooks[notebook]?.widgets ?? {})])],
    placeholderHint: `a notebook substitutes its widgets, so add it to the widgets of notebook "${notebook}" (widgets: { key: default })`,
  };
}

function sqlTexts(model: BundleModel): SqlText[] {
  const texts: SqlText[] = [];
  for (const { table, path } of bundleTables(model)) {
    const options = placeholdersFor(model, path);
    const at = (sql: string | undefined, sub: string, subject: string): void => {
      if (sql !== undefined) {
        texts.push({ sql, path: `${path}.${sub}`, subject: `${subject} of table "${table.name}"`, options, ...(table.location ? { location: table.location } : {}) });
      }
    };
    (table.columns ?? []).forEach((c, i) => at(c.expression, `columns[${i}].expression`, `expression of column "${c.name}"`));
    table.expectations.forEach((e, i) => at(e.condition, `expectations[${i}].condition`, `condition of expectation "${e.name}"`));
    at(table.where, 'where', 'filter');
    at(table.query, 'query', 'query');
  }
  for (const [key, d] of Object.entries(model.resources.dashboards)) {
    d.datasets.forEach((ds, i) => texts.push({ sql: ds.query, path: `resources.dashboards.${key}.datasets[${i}].query`, subject: `query of dataset "${ds.name}" of dashboard "${key}"`, options: {} }));
  }
  return texts;
}

export function checkModelSql(model: BundleModel, out: Reporter): void {
  for (const text of sqlTexts(model)) {
    for (const f of checkSql(text.sql, text.options)) {
      out.report(f.severity, text.path, `SQL ${text.subject}, line ${f.line} column ${f.column}: ${f.message}.`, text.location);
    }
  }
}
