// Language-aware escaping: every value synth places into Python or SQL source goes through here,
// so a name or parameter can never end a literal early, start a comment or split a notebook cell.

/** A Python value the escaper can write as a literal. */
export type PyLiteralValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly PyLiteralValue[]
  | { readonly [key: string]: PyLiteralValue };

/**
 * A double-quoted Python string literal holding exactly `value`.
 * The output is printable ASCII on one line: newlines, quotes, backslashes and every non-ASCII
 * character are escaped, so the literal can't break a `# COMMAND ----------` cell boundary or
 * depend on the file's encoding. Lone surrogates survive as `\udXXX`, as Python strings allow.
 */
export function pyStr(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const cp = value.codePointAt(i)!;
    if (cp > 0xffff) i++; // a surrogate pair is one code point
    out += pyChar(cp);
  }
  return `${out}"`;
}

function pyChar(cp: number): string {
  switch (cp) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
  }
  if (cp >= 0x20 && cp < 0x7f) return String.fromCodePoint(cp);
  if (cp < 0x100) return `\\x${hex(cp, 2)}`;
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * A Python literal for a number, bool, None, string, list or dict (dict keys in the given order).
 * With `indent`, lists and dicts spread over lines (4 spaces a level, starting at that level) for readable code.
 */
export function pyValue(value: PyLiteralValue, indent?: number): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return pyStr(value);
  if (typeof value === 'number') return pyNumber(value);
  const items = Array.isArray(value)
    ? value.map((v: PyLiteralValue) => pyValue(v, indent === undefined ? undefined : indent + 1))
    : Object.entries(value as { readonly [key: string]: PyLiteralValue }).map(
        ([k, v]) => `${pyStr(k)}: ${pyValue(v, indent === undefined ? undefined : indent + 1)}`,
      );
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return `${open}${close}`;
  if (indent === undefined) return `${open}${items.join(', ')}${close}`;
  const pad = '    '.repeat(indent + 1);
  return `${open}\n${items.map((i) => `${pad}${i},`).join('\n')}\n${'    '.repeat(indent)}${close}`;
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'float("nan")';
  if (n === Infinity) return 'float("inf")';
  if (n === -Infinity) return 'float("-inf")';
  if (Object.is(n, -0)) return '-0.0';
  // JavaScript's shortest round-trip form is valid Python (`1e+21`, `5e-7`, `0.1`).
  return String(n);
}

/**
 * A SQL string literal that Databricks SQL and DuckDB both read as exactly `value`.
 * The dialects disagree on `'` and `\` inside literals (Databricks: backslash escapes and `''` is two
 * adjacent literals; DuckDB: backslash is literal and `''` is a quote), so literals never contain
 * either: those characters (and NUL, which ends a DuckDB literal) are spliced in with `chr(39)` / `chr(92)` /
 * `chr(0)`, which both dialects support. Lone UTF-16 surrogates can't be stored in either engine.
 * The result is a constant expression, valid wherever an expression is. Where the grammar wants a
 * bare literal (COMMENT clauses, Databricks only) use `sqlStrDatabricks`.
 * Note: in pipeline SQL and `spark.sql`, `${key}` text is substituted from configuration before parsing.
 */
export function sqlStr(value: string): string {
  const parts: string[] = [];
  let run = '';
  for (const ch of value) {
    if (ch === "'" || ch === '\\' || ch === '\u0000') {
      if (run) parts.push(`'${run}'`);
      run = '';
      parts.push(`chr(${ch.codePointAt(0)!})`);
    } else {
      run += ch;
    }
  }
  if (run || parts.length === 0) parts.push(`'${run}'`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
}

/** A bare Databricks SQL string literal (backslash escapes, per the Databricks STRING literal rules). */
export function sqlStrDatabricks(value: string): string {
  let out = "'";
  for (const ch of value) {
    if (ch === "'" || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return `${out}'`;
}

/** A Databricks SQL identifier in backquotes (`` ` `` doubled), safe for any name. */
export function sqlIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** A DuckDB (and standard SQL) identifier in double quotes (`"` doubled). */
export function sqlIdentDuck(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `catalog`.`schema`.`table` for Databricks; each part quoted on its own. */
export function sqlQualified(catalog: string, schema: string, table: string): string {
  return [catalog, schema, table].map(sqlIdent).join('.');
}

/** The placeholder table names carry for the catalog, substituted per target at run time. */
export const CATALOG_PLACEHOLDER = '${catalog}';

/** Splits a model table name `<schema>.<table>` into its parts. */
export function splitTableName(name: string): { schema: string; table: string } {
  const dot = name.indexOf('.');
  if (dot < 0) return { schema: '', table: name };
  return { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

/** A model table name `<schema>.<table>` as `` `${catalog}`.`schema`.`table` `` for Databricks SQL. */
export function sqlTableRef(name: string): string {
  const { schema, table } = splitTableName(name);
  return sqlQualified(CATALOG_PLACEHOLDER, schema, table);
}

/**
 * Text for a one-line `--` comment in SQL Databricks reads (pipeline sources, spark.sql): one line, and `${`
 * broken up, since Databricks substitutes `${key}` from configuration even inside comments.
 */
export function sqlCommentText(text: string): string {
  return singleLine(text).replaceAll('${', '$ {');
}

/** Text for a one-line code comment: control and line-separator characters become spaces. */
export function singleLine(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += cp < 0x20 || cp === 0x7f || cp === 0x85 || cp === 0x2028 || cp === 0x2029 ? ' ' : ch;
  }
  return out;
}
