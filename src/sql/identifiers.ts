// Names placed into SQL unquoted, in text both Databricks SQL and DuckDB run. Databricks quotes with backticks
// and DuckDB with double quotes, so there is no common quoting: only plain identifiers are accepted.
import { UserError } from '../errors/index.ts';

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The name, if it is a plain identifier; `what` names it in the error ("Catalog", "Schema", ...). */
export function checkPlainIdentifier(name: string, what: string): string {
  if (!PLAIN_IDENTIFIER.test(name)) {
    throw new UserError(
      `${what} name ${JSON.stringify(name)} is not a plain SQL identifier`,
      'Use letters, digits and underscores only, starting with a letter or underscore.',
    );
  }
  return name;
}
