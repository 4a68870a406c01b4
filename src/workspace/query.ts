// Query strings as the SDKs encode them: booleans as true/false, arrays as repeated keys
// (order_by=a&order_by=b), bigints as exact digits, absent values skipped.

type QueryScalar = string | number | bigint | boolean;

export type QueryParams = Record<string, QueryScalar | readonly QueryScalar[] | undefined | null>;

export function encodeQuery(query: QueryParams | undefined): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? (value as readonly QueryScalar[]) : [value as QueryScalar];
    for (const v of values) params.append(key, String(v));
  }
  return params;
}
