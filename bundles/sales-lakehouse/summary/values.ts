// Result values arrive in driver-specific shapes (bigint counts, DECIMAL objects, Date or string timestamps).
// These helpers turn them into plain numbers and strings so metrics look the same on every engine.

/** A finite number from a SQL value; NULL and unparseable values become 0. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 0;
  if (typeof value === 'bigint') return Number(value);
  if (value === null || value === undefined) return 0;
  const parsed = Number(String(value));
  return Number.isFinite(parsed) ? parsed : 0;
}

/** A string from a SQL value; NULL becomes the fallback. */
export function toText(value: unknown, fallback = ''): string {
  if (value === null || value === undefined) return fallback;
  if (value instanceof Date) return toTimestampText(value) ?? fallback;
  return String(value);
}

/** `YYYY-MM-DD HH:MM:SS[.fff]` (UTC for Date values), or null for NULL. */
export function toTimestampText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const iso = value.toISOString(); // 2024-01-15T10:30:00.000Z
    const millis = iso.slice(19, 23);
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${millis === '.000' ? '' : millis}`;
  }
  return String(value).replace('T', ' ').replace(/Z$/, '');
}

/** Rounds to a number of decimals, away from floating-point noise such as 0.1 + 0.2. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round((value + Number.EPSILON) * factor) / factor;
}
