// SQL text helpers that work the same on Databricks SQL and DuckDB.
import { checkPlainIdentifier } from '../../../src/index.ts';

/** Checks a catalog name before it is placed into SQL (see checkPlainIdentifier). */
export function checkCatalogName(catalog: string): string {
  return checkPlainIdentifier(catalog, 'Catalog');
}

/** Replaces every `${catalog}` placeholder with a checked catalog name. */
export function withCatalog(sqlTemplate: string, catalog: string): string {
  return sqlTemplate.replaceAll('${catalog}', checkCatalogName(catalog));
}

/**
 * A string literal both engines read the same way. Databricks treats a backslash in a literal as an escape and
 * DuckDB does not, and the two disagree on doubled quotes in older runtimes, so quotes and backslashes are
 * spliced in with chr() instead of being escaped.
 */
export function sqlStringLiteral(value: string | null): string {
  if (value === null) return 'NULL';
  const parts = value.split(/(['\\])/);
  const pieces = parts
    .filter((part) => part !== '')
    .map((part) => (part === "'" ? 'chr(39)' : part === '\\' ? 'chr(92)' : `'${part}'`));
  if (pieces.length === 0) return "''";
  return pieces.length === 1 ? (pieces[0] as string) : `(${pieces.join(' || ')})`;
}
