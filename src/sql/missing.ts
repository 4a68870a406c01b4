// "That table is not there (yet)": recognised in the errors of both engines, so a command that reads a table
// the pipeline has not produced says so (a usage error) instead of failing as a bug.

// DuckDB: `Catalog Error: Table with name x does not exist!`, `Binder Error: Catalog "x" does not exist!`.
// Databricks: `[TABLE_OR_VIEW_NOT_FOUND]`, `[SCHEMA_NOT_FOUND]`, `[CATALOG_NOT_FOUND]` (error classes).
const MISSING = [
  /Table with name .* does not exist/,
  /Catalog "[^"]*" does not exist/,
  /Schema with name .* does not exist/,
  /\b(TABLE_OR_VIEW|SCHEMA|CATALOG)_NOT_FOUND\b/,
];

/** True when a query failed because a table, schema or catalog it reads does not exist. */
export function isMissingTable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return MISSING.some((re) => re.test(message));
}
