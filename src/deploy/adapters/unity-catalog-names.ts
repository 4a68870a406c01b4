// Helpers shared by the catalog, schema and volume adapters: Unity Catalog names are case-insensitive (and
// stored lower-cased), so a name that differs only in case is no change.
import type { FieldChange } from '../types.ts';

const NAME_FIELDS = new Set(['name', 'catalog_name', 'schema_name']);

export function withoutCaseOnlyChanges(changes: FieldChange[]): FieldChange[] {
  return changes.filter(
    (c) => !(NAME_FIELDS.has(c.path) && typeof c.before === 'string' && typeof c.after === 'string' && c.before.toLowerCase() === c.after.toLowerCase()),
  );
}

/** The settings a read returns: only the fields given (so values the server adds are not compared). */
export function pick(source: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (source[field] !== undefined && source[field] !== null) out[field] = source[field];
  return out;
}
