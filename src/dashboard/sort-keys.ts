// Deterministic JSON: object keys sorted at every level (as Lakeview's own exports are), arrays kept in order.

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function sortKeysDeep(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const sorted: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeysDeep(value[key] as Json);
    return sorted;
  }
  return value;
}

/** Two-space indented JSON with sorted keys and a final newline. */
export function stableJson(value: Json): string {
  return `${JSON.stringify(sortKeysDeep(value), null, 2)}\n`;
}
