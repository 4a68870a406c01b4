// Databricks SQL writes named parameters as `:name`; DuckDB spells them `$name`.
// Rewrites only markers outside strings, quoted identifiers and comments, never `::` casts,
// and only names the caller supplied, so `raw:field` JSON paths and typos stay untouched.

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/** Returns `sql` with each `:name` (for a name in `names`) spelled `$name`, plus the names found. */
export function rewriteNamedParams(sql: string, names: ReadonlySet<string>): { sql: string; used: Set<string> } {
  const used = new Set<string>();
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    const skipTo = quotedEnd(sql, i);
    if (skipTo > i) {
      out += sql.slice(i, skipTo);
      i = skipTo;
      continue;
    }
    if (ch === ':' && next === ':') {
      out += '::';
      i += 2;
      continue;
    }
    if (ch === ':' && next !== undefined && NAME_START.test(next)) {
      let end = i + 1;
      while (end < sql.length && NAME_PART.test(sql[end]!)) end++;
      const name = sql.slice(i + 1, end);
      if (names.has(name)) {
        out += `$${name}`;
        used.add(name);
      } else {
        out += sql.slice(i, end);
      }
      i = end;
      continue;
    }
    out += ch;
    i++;
  }
  return { sql: out, used };
}

/** If a string, quoted identifier or comment starts at `i`, the index just past it; otherwise `i`. */
function quotedEnd(sql: string, i: number): number {
  const ch = sql[i];
  const next = sql[i + 1];
  if (ch === "'" || ch === '"' || ch === '`') return closingQuote(sql, i, ch);
  if (ch === '-' && next === '-') {
    const nl = sql.indexOf('\n', i + 2);
    return nl === -1 ? sql.length : nl;
  }
  if (ch === '/' && next === '*') {
    const close = sql.indexOf('*/', i + 2);
    return close === -1 ? sql.length : close + 2;
  }
  if (ch === '$' && next === '$') {
    const close = sql.indexOf('$$', i + 2);
    return close === -1 ? sql.length : close + 2;
  }
  return i;
}

/** Quotes close on the same character; a doubled quote is an escaped one. */
function closingQuote(sql: string, start: number, quote: string): number {
  let j = start + 1;
  while (j < sql.length) {
    if (sql[j] === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return sql.length;
}
