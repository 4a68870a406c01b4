// Query results arrive with driver-specific values (bigint, Date, DECIMAL objects). Charts and the inline JSON
// need plain JSON values, so every cell goes through toPlainValue before it is embedded.

export type PlainValue = string | number | boolean | null;
export type PlainRow = Record<string, PlainValue>;

export function toPlainValue(value: unknown): PlainValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  // DECIMAL and similar wrapper objects render their value with toString().
  const text = String(value);
  const numeric = Number(text);
  return text.trim() !== '' && Number.isFinite(numeric) ? numeric : text;
}

export function toPlainRows(rows: readonly Record<string, unknown>[]): PlainRow[] {
  return rows.map((row) => {
    const plain: PlainRow = {};
    for (const [key, value] of Object.entries(row)) plain[key] = toPlainValue(value);
    return plain;
  });
}
