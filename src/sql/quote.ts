// Quoting for SQL text we build ourselves; identifiers and literals are never pasted in raw.

/** `"name"`, with embedded double quotes doubled. */
export function quoteIdent(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** `'text'`, with embedded single quotes doubled. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A dotted name (`catalog.schema.table`) with each part quoted. */
export function quoteQualified(parts: readonly string[]): string {
  return parts.map(quoteIdent).join('.');
}
