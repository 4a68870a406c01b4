// Runs the SQL portability check over every SQL string in the model: table columns' expressions, expectations,
// filters and queries, and dashboard dataset queries.
import type { BundleModel, SourceLocation } from '../model/types.ts';
import type { Reporter } from './locate.ts';
import { checkSql } from './sql-subset.ts';
import { bundleTables, definedTableNames } from './tables.ts';

interface SqlText {
  sql: string;
  path: string;
  /** What the text is, for messages: `query of table "gold.x"`. */
  subject: string;
  location?: SourceLocation;
  /**
   * Table queries read the bundle's own tables; dashboards may also read tables notebooks write in code
   * (the summary), which the model does not list, so their references are not checked.
   */
  checkTableRefs: boolean;
  /** Placeholders besides `${catalog}`/`${schema}`: a notebook's widgets, which its table runtime substitutes. */
  placeholders?: string[];
}

function sqlTexts(model: BundleModel): SqlText[] {
  const texts: SqlText[] = [];
  for (const { table, path } of bundleTables(model)) {
    const notebook = /^notebooks\.([^.]+)\./.exec(path)?.[1];
    const placeholders = notebook ? Object.keys(model.notebooks[notebook]?.widgets ?? {}) : [];
    const at = (sql: string | undefined, sub: string, subject: string): void => {
      if (sql !== undefined) {
        texts.push({ sql, path: `${path}.${sub}`, subject: `${subject} of table "${table.name}"`, checkTableRefs: true, placeholders, ...(table.location ? { location: table.location } : {}) });
      }
    };
    (table.columns ?? []).forEach((c, i) => at(c.expression, `columns[${i}].expression`, `expression of column "${c.name}"`));
    table.expectations.forEach((e, i) => at(e.condition, `expectations[${i}].condition`, `condition of expectation "${e.name}"`));
    at(table.where, 'where', 'filter');
    at(table.query, 'query', 'query');
  }
  for (const [key, d] of Object.entries(model.resources.dashboards)) {
    d.datasets.forEach((ds, i) => texts.push({ sql: ds.query, path: `resources.dashboards.${key}.datasets[${i}].query`, subject: `query of dataset "${ds.name}" of dashboard "${key}"`, checkTableRefs: false }));
  }
  return texts;
}

export function checkModelSql(model: BundleModel, out: Reporter): void {
  const definedTables = definedTableNames(model);
  for (const text of sqlTexts(model)) {
    for (const f of checkSql(text.sql, { ...(text.checkTableRefs ? { definedTables } : {}), ...(text.placeholders ? { placeholders: text.placeholders } : {}) })) {
      out.report(f.severity, text.path, `SQL ${text.subject}, line ${f.line} column ${f.column}: ${f.message}.`, text.location);
    }
  }
}
