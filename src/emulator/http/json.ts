// JSON for the fake workspace. Databricks ids are int64 and may exceed 2^53, so integers that a
// double cannot hold are parsed to bigint (and written back exactly); every other number stays a number.
import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';

function parseNumber(text: string): number | bigint {
  return isInteger(text) && !isSafeNumber(text) ? BigInt(text) : Number(text);
}

export function parseJson(text: string): unknown {
  return parse(text, null, parseNumber);
}

/** Serialises plain data; bigint values are written as JSON numbers without losing digits. */
export function toJson(value: unknown, space?: number): string {
  return stringify(value, null, space) ?? 'null';
}

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
