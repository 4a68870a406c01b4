// `${...}` references exactly as the Databricks CLI recognises them (libs/dyn/dynvar): dotted names of
// letters, digits, `-` and `_`, with `[n]` indexes. Anything else in `${...}` (DLT's `${catalog}` is fine,
// `${spark.conf}` too) is a reference by this syntax; a `${1}` is not.

// The CLI's `\p{L}+([-_]*[\p{L}\p{N}]+)*`, written so a backtracking engine cannot take exponential time.
const BASE = String.raw`\p{L}[\p{L}\p{N}]*(?:[-_]+[\p{L}\p{N}]+)*`;
const SOURCE = String.raw`\$\{(${BASE}(?:\.${BASE}(?:\[[0-9]+\])*)*(?:\[[0-9]+\])*)\}`;

/** A fresh global regex over every reference in a string; group 1 is the path inside `${...}`. */
export function referencePattern(): RegExp {
  return new RegExp(SOURCE, 'gu');
}

const PURE = new RegExp(`^${SOURCE}$`, 'u');

/** The path of a string that is one reference and nothing else (`${var.x}` → `var.x`). */
export function pureReference(value: string): string | undefined {
  return PURE.exec(value)?.[1];
}

export function containsReference(value: string): boolean {
  return referencePattern().test(value);
}

/** `a.b[0].c` → `['a', 'b', 0, 'c']`. */
export function referenceKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/u.exec(part);
    if (!m) return [path];
    keys.push(m[1]!);
    for (const index of m[2]!.matchAll(/\[(\d+)\]/g)) keys.push(Number(index[1]));
  }
  return keys;
}
