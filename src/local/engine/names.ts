// Table names as the model writes them (`schema.table`, `${catalog}.schema.table`) resolved to three-part names.

import { UserError } from '../../errors/index.ts';
import { quoteIdent } from '../../sql/quote.ts';

export interface TableRef {
  catalog: string;
  schema: string;
  table: string;
}

const SIMPLE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces `${catalog}` with the catalog name, quoted only when it is not a plain identifier. */
export function substituteCatalog(text: string, catalog: string): string {
  return text.replaceAll('${catalog}', SIMPLE_IDENTIFIER.test(catalog) ? catalog : quoteIdent(catalog));
}

/** `schema.table` or `catalog.schema.table` (either may use `${catalog}`) → a reference in `catalog`. */
export function parseTableName(name: string, catalog: string): TableRef {
  const parts = name.replaceAll('${catalog}', catalog).split('.').map((p) => p.replace(/^[`"](.*)[`"]$/, '$1'));
  if (parts.length === 2) return { catalog, schema: parts[0]!, table: parts[1]! };
  if (parts.length === 3) {
    if (parts[0] !== catalog) {
      throw new UserError(`Table ${name} is in catalog ${parts[0]}, but the local engine only holds catalog ${catalog}.`);
    }
    return { catalog, schema: parts[1]!, table: parts[2]! };
  }
  throw new UserError(`Table name "${name}" must be schema.table or catalog.schema.table.`);
}

/** `"catalog"."schema"."table"`, ready for SQL. */
export function sqlName(ref: TableRef): string {
  return `${quoteIdent(ref.catalog)}.${quoteIdent(ref.schema)}.${quoteIdent(ref.table)}`;
}

/** `catalog.schema.table`, for messages, events and the event log. */
export function displayName(ref: TableRef): string {
  return `${ref.catalog}.${ref.schema}.${ref.table}`;
}

/** `schema.table`, the name DLT shows as a dataset / flow name. */
export function shortName(ref: TableRef): string {
  return `${ref.schema}.${ref.table}`;
}
