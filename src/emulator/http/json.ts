// JSON for the fake workspace. Databricks ids are int64 and may exceed 2^53, so integers that a double cannot
// hold are parsed to bigint (and written back exactly); every other number stays a number. Native JSON with
// source-text access does this at native speed: a 10 MB import body parses in milliseconds, not seconds.
export type JsonObject = Record<string, unknown>;

interface ReviverContext {
  source?: string;
}

type NativeJson = typeof JSON & { rawJSON(text: string): unknown };

export function parseJson(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: ReviverContext) {
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) {
      return BigInt(context.source);
    }
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}

/** Serialises plain data; bigint values are written as JSON numbers without losing digits. */
export function toJson(value: unknown, space?: number): string {
  const native = JSON as NativeJson;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? native.rawJSON(v.toString()) : v), space) ?? 'null';
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
