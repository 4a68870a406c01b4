// How DuckDB values become plain JavaScript for SqlClient rows, and how parameters go the other way.
// Rows must survive JSON and CSV output unchanged, so numbers stay numbers only while they are exact.

import {
  DuckDBTypeId,
  arrayFromArrayValue,
  arrayFromListValue,
  booleanFromValue,
  bytesFromBlobValue,
  createDuckDBValueConverter,
  fromVariantValue,
  listValue,
  nullConverter,
  numberFromValue,
  objectArrayFromMapValue,
  objectFromStructValue,
  objectFromUnionValue,
  stringFromValue,
  timestampValue,
  unsupportedConverter,
} from '@duckdb/node-api';
import type { DuckDBValue, DuckDBValueConverter } from '@duckdb/node-api';
import { UserError } from '../errors/index.ts';

/** A 64-bit or wider integer: a number while it is a safe integer, its decimal string beyond that. */
function exactInteger(value: DuckDBValue): number | string {
  const n = typeof value === 'bigint' ? value : BigInt(String(value));
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** A decimal: a number when the round trip through a double gives back the same digits, else its string. */
function exactDecimal(value: DuckDBValue): number | string {
  const text = String(value);
  const n = Number(text);
  return Number.isFinite(n) && sameDecimal(n, text) ? n : text;
}

function sameDecimal(n: number, text: string): boolean {
  const scale = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  return n.toFixed(scale) === text;
}

/** Doubles: NaN and infinities have no JSON form, so they become their names. */
function jsonSafeDouble(value: DuckDBValue): number | string {
  const n = numberFromValue(value);
  return Number.isFinite(n) ? n : String(n);
}

type Converted = unknown;

const byTypeId: Record<DuckDBTypeId, DuckDBValueConverter<Converted> | undefined> = {
  [DuckDBTypeId.INVALID]: unsupportedConverter,
  [DuckDBTypeId.BOOLEAN]: booleanFromValue,
  [DuckDBTypeId.TINYINT]: numberFromValue,
  [DuckDBTypeId.SMALLINT]: numberFromValue,
  [DuckDBTypeId.INTEGER]: numberFromValue,
  [DuckDBTypeId.BIGINT]: exactInteger,
  [DuckDBTypeId.UTINYINT]: numberFromValue,
  [DuckDBTypeId.USMALLINT]: numberFromValue,
  [DuckDBTypeId.UINTEGER]: numberFromValue,
  [DuckDBTypeId.UBIGINT]: exactInteger,
  [DuckDBTypeId.FLOAT]: jsonSafeDouble,
  [DuckDBTypeId.DOUBLE]: jsonSafeDouble,
  [DuckDBTypeId.TIMESTAMP]: stringFromValue,
  [DuckDBTypeId.DATE]: stringFromValue,
  [DuckDBTypeId.TIME]: stringFromValue,
  [DuckDBTypeId.INTERVAL]: stringFromValue,
  [DuckDBTypeId.HUGEINT]: exactInteger,
  [DuckDBTypeId.UHUGEINT]: exactInteger,
  [DuckDBTypeId.VARCHAR]: stringFromValue,
  [DuckDBTypeId.BLOB]: bytesFromBlobValue,
  [DuckDBTypeId.DECIMAL]: exactDecimal,
  [DuckDBTypeId.TIMESTAMP_S]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_MS]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_NS]: stringFromValue,
  [DuckDBTypeId.ENUM]: stringFromValue,
  [DuckDBTypeId.LIST]: arrayFromListValue,
  [DuckDBTypeId.STRUCT]: objectFromStructValue,
  [DuckDBTypeId.MAP]: objectArrayFromMapValue,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue,
  [DuckDBTypeId.UUID]: stringFromValue,
  [DuckDBTypeId.UNION]: objectFromUnionValue,
  [DuckDBTypeId.BIT]: stringFromValue,
  [DuckDBTypeId.TIME_TZ]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_TZ]: stringFromValue,
  [DuckDBTypeId.ANY]: unsupportedConverter,
  [DuckDBTypeId.BIGNUM]: exactInteger,
  [DuckDBTypeId.SQLNULL]: nullConverter,
  [DuckDBTypeId.STRING_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.INTEGER_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.TIME_NS]: stringFromValue,
  [DuckDBTypeId.GEOMETRY]: stringFromValue,
  [DuckDBTypeId.VARIANT]: fromVariantValue,
};

export const rowValueConverter: DuckDBValueConverter<Converted> = createDuckDBValueConverter(byTypeId);

/** A JavaScript parameter value as DuckDB binds it. */
export function toDuckDbParam(name: string, value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new UserError(`Parameter :${name} is not a finite number.`);
    return value;
  }
  if (value instanceof Date) return timestampValue(BigInt(value.getTime()) * 1000n);
  if (Array.isArray(value)) return listValue(value.map((item, i) => toDuckDbParam(`${name}[${i}]`, item)));
  throw new UserError(
    `Parameter :${name} has an unsupported type (${typeof value}).`,
    'Pass strings, numbers, booleans, bigints, Dates, arrays of those, or null.',
  );
}
