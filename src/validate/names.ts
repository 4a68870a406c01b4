// Name rules Databricks enforces, as data, and one function per kind of name that says what is wrong (or nothing).
// Sources: Databricks SQL reference "Identifiers" and "Names" (Unity Catalog object names), the Jobs API task_key
// pattern, and the Secrets API (scope and key names).

export const NAME_RULES = {
  /** Unity Catalog object names (catalog, schema, table): at most 255 characters, none of these characters. */
  // eslint-disable-next-line no-control-regex -- control characters are exactly what the rule forbids
  unityCatalog: { maxLength: 255, forbidden: /[.\s/\u0000-\u001F\u007F]/u },
  /** A non-delimited (unquoted) identifier: an ASCII letter or `_`, then ASCII letters, digits or `_`. */
  unquotedIdentifier: /^[A-Za-z_][A-Za-z0-9_]*$/,
  /** Jobs API: task_key matches `^[\w\-]+$` and has at most 100 characters. */
  taskKey: { pattern: /^[\w-]+$/, maxLength: 100 },
  /** Secrets API: scope names and secret keys are alphanumerics, `-`, `_` and `.`, at most 128 characters. */
  secretName: { pattern: /^[\w.-]+$/, maxLength: 128 },
} as const;

function describeChar(ch: string): string {
  if (ch === '.') return 'a period';
  if (ch === '/') return 'a slash';
  if (ch === ' ') return 'a space';
  if (/\s/u.test(ch)) return 'whitespace';
  return `the control character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why a catalog, schema, table or column name would be rejected, or undefined when it is fine. dbx-ts writes names
 * unquoted in SQL that runs on Databricks and DuckDB, so a name must be a plain identifier, not only a legal UC name.
 */
export function identifierProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  const rules = NAME_RULES.unityCatalog;
  if (name.length > rules.maxLength) return `is longer than ${rules.maxLength} characters`;
  const bad = rules.forbidden.exec(name);
  if (bad) return `contains ${describeChar(bad[0])}, which Unity Catalog does not allow in names`;
  if (!NAME_RULES.unquotedIdentifier.test(name)) {
    return 'is not a plain identifier (an ASCII letter or `_`, then letters, digits or `_`): Databricks rejects it unquoted';
  }
  return undefined;
}

/** Problems with a `<schema>.<table>` name: two parts, each a valid identifier. */
export function tableNameProblem(name: string): string | undefined {
  const parts = name.split('.');
  if (parts.length !== 2) return `must be written <schema>.<table> (found ${parts.length} part${parts.length === 1 ? '' : 's'})`;
  for (const [i, part] of parts.entries()) {
    const problem = identifierProblem(part);
    if (problem) return `has a ${i === 0 ? 'schema' : 'table'} part "${part}" that ${problem}`;
  }
  return undefined;
}

export function taskKeyProblem(key: string): string | undefined {
  const rules = NAME_RULES.taskKey;
  if (key.length > rules.maxLength) return `is longer than ${rules.maxLength} characters`;
  if (!rules.pattern.test(key)) return 'may contain only letters, digits, `_` and `-`';
  return undefined;
}

export function secretNameProblem(name: string): string | undefined {
  const rules = NAME_RULES.secretName;
  if (name.length > rules.maxLength) return `is longer than ${rules.maxLength} characters`;
  if (!rules.pattern.test(name)) return 'may contain only letters, digits, `_`, `-` and `.`';
  return undefined;
}

/** True when the value is (or contains) a bundle interpolation such as `${var.catalog}`, known only at deploy time. */
export function isInterpolated(value: string): boolean {
  return value.includes('${');
}
