// JSON for the Databricks REST API without losing int64 ids.
//
// Decision: integers that fit in a JS number (|n| <= 2^53 - 1) parse as `number`; larger integers parse as
// `bigint`. Ids seen in the wild are 15-16 digits, so most stay plain numbers and only the rare large one
// becomes a bigint. `stringifyJson` writes bigints as bare JSON numbers, so an id read from a response is sent
// back byte-for-byte identical. Callers holding an id as text (a state file, a CLI flag) convert it with
// `toInt64`; `int64ToString` gives the exact text for keys, events and state.
import { isInteger, parse, stringify } from 'lossless-json';
import { UserError } from '../errors/index.ts';

/** An int64 field as this client returns it: a number when safe, a bigint beyond 2^53. */
export type Int64 = number | bigint;

/** What callers may pass where an int64 id is expected: a parsed id, or its decimal text (e.g. from a state file). */
export type Int64Input = number | bigint | string;

function parseNumberLossless(text: string): number | bigint {
  if (isInteger(text)) {
    const asNumber = Number(text);
    return Number.isSafeInteger(asNumber) ? asNumber : BigInt(text);
  }
  return Number(text);
}

/** Parses a response body; unsafe integers become bigints (see the file comment). */
export function parseJson(text: string): unknown {
  return parse(text, null, parseNumberLossless);
}

/** Serialises a request body; bigints are written as exact JSON numbers. */
export function stringifyJson(value: unknown): string {
  return stringify(value) ?? 'null';
}

/**
 * Normalises an id for a request: a digit string becomes a number (or bigint when unsafe) so it is sent as a
 * JSON number, as the API expects. Throws a UserError for anything that is not an integer.
 */
export function toInt64(value: Int64Input): Int64 {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new UserError(`${value} is not an exact integer id`, 'Pass large ids as strings or bigints.');
    }
    return value;
  }
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new UserError(`"${value}" is not an integer id`);
  return parseNumberLossless(trimmed) as Int64;
}

/** Decimal text of an id, exact for bigints; use it for map keys, state files and events. */
export function int64ToString(value: Int64Input): string {
  return String(toInt64(value));
}


/**
 * An API type as this client actually delivers it: every `number` may be a bigint when it exceeds 2^53
 * (the generated API types model int64 as `number`). Request bodies accept the same, so ids read from a
 * response can be sent back unchanged.
 */
export type Lossless<T> = T extends number
  ? Int64
  : T extends readonly (infer U)[]
    ? Lossless<U>[]
    : T extends object
      ? { [K in keyof T]: Lossless<T[K]> }
      : T;
