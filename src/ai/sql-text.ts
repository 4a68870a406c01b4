// SQL text helpers that work the same on Databricks SQL and DuckDB.
import { UserError } from '../errors/index.ts';

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks a catalog name before it is placed into SQL. Databricks quotes with backticks and DuckDB with double
 * quotes, so there is no common quoting: only plain identifiers are accepted.
 */
export function checkCatalogName(catalog: string): string {
  return checkPlainIdentifier(catalog, 'Catalog');
}

/** The same check for any name placed into SQL unquoted; `what` names it in the error ("Schema", ...). */
export function checkPlainIdentifier(name: string, what: string): string {
  if (!PLAIN_IDENTIFIER.test(name)) {
    throw new UserError(
      `${what} name ${JSON.stringify(name)} is not a plain SQL identifier`,
      'Use letters, digits and underscores only, starting with a letter or underscore.',
    );
  }
  return name;
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
