// Name rules Databricks enforces, as data, and one function per kind of name that says what is wrong (or nothing).
// Every place a name or a text reaches generated YAML, Python, SQL, JSON or a workspace path is checked here
// (validate/name-slots.ts applies them slot by slot); escaping (synth/escape.ts) handles what is allowed.
// Sources: Databricks SQL reference "Identifiers" and "Names" (Unity Catalog object names), the Jobs API
// (task_key `^[\w\-]+$` of at most 100 characters; job name at most 4096 bytes of UTF-8; job parameter names of
// alphanumerics, `_`, `-` and `.`), the Secrets API (scope and key names), the bundle JSON schema (the pattern of
// `${...}` references), Delta (column names), and NAME_MAX (255 bytes) of the file systems a name becomes a
// path segment on (the bundle's build folder, the workspace).

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
  /** Jobs API: a job's name is at most 4096 bytes in UTF-8. */
  jobNameMaxBytes: 4096,
  /** Jobs API (JobParameterDefinition.name): alphanumerics, `_`, `-` and `.`. */
  jobParameterName: /^[\w.-]+$/,
  /** Delta column names without column mapping: none of ` ,;{}()\n\t=`. */
  deltaColumnForbidden: ' ,;{}()\n\t=',
  /** A path segment (file or folder name) on the file systems and in the workspace: at most 255 bytes. */
  pathSegmentMaxBytes: 255,
  /** A name of resources, pipelines, dashboards and the like that the APIs take: kept to what the UI shows. */
  displayNameMaxBytes: 4096,
  /** Bundle JSON schema: `${<root>.<segment>...}` with segments `\p{L}+([-_]*[\p{L}\p{N}]+)*` and `[n]` indexes. */
  referenceSegment: /^\p{L}+(?:[-_]*[\p{L}\p{N}]+)*$/u,
  reference: /^\$\{(?:var|resources|bundle|workspace|artifacts)(?:\.\p{L}+(?:[-_]*[\p{L}\p{N}]+)*(?:\[[0-9]+\])*)+\}/u,
} as const;

function describeChar(ch: string): string {
  if (ch === '.') return 'a period';
  if (ch === '/') return 'a slash';
  if (ch === ' ') return 'a space';
  if (/\s/u.test(ch)) return 'whitespace';
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${ch}"`;
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
  if (key === '') return 'is empty';
  if (key.length > rules.maxLength) return `is longer than ${rules.maxLength} characters`;
  if (!rules.pattern.test(key)) return 'may contain only letters, digits, `_` and `-`';
  return undefined;
}

export function secretNameProblem(name: string): string | undefined {
  const rules = NAME_RULES.secretName;
  if (name === '') return 'is empty';
  if (name.length > rules.maxLength) return `is longer than ${rules.maxLength} characters`;
  if (!rules.pattern.test(name)) return 'may contain only letters, digits, `_`, `-` and `.`';
  return undefined;
}

/** True when the value is (or contains) a bundle interpolation such as `${var.catalog}`, known only at deploy time. */
export function isInterpolated(value: string): boolean {
  return value.includes('${');
}

// ---- Rules for every slot a name or a text reaches. Each returns why it is refused, or undefined. ----

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/**
 * The first character no generated file or API should receive: C0 and C1 controls, DEL, the Unicode line and
 * paragraph separators, and lone surrogates (not encodable in UTF-8). Line breaks and tabs pass when allowed.
 */
export function controlCharacterProblem(text: string, options: { allowLineBreaks?: boolean } = {}): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff) {
      i++;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) return `contains a lone surrogate (U+${hex4(code)}), which UTF-8 cannot encode`;
    if (options.allowLineBreaks && (code === 0x0a || code === 0x0d || code === 0x09)) continue;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      if (code === 0x0a || code === 0x0d) return 'contains a line break';
      if (code === 0) return 'contains a NUL character';
      return `contains the control character U+${hex4(code)}`;
    }
  }
  return undefined;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Text the Databricks CLI reads as configuration (every string value of the bundle YAML): each `${` must open a
 * bundle reference (`${var.x}`, `${resources.<kind>.<key>.<field>}`, `${bundle.x}`, `${workspace.x}`), since
 * the CLI substitutes every `${...}` and fails on anything else.
 */
export function configTextProblem(text: string): string | undefined {
  for (let at = text.indexOf('${'); at >= 0; at = text.indexOf('${', at + 2)) {
    if (!NAME_RULES.reference.test(text.slice(at))) {
      return `contains "${text.slice(at, at + 24)}${text.length > at + 24 ? '…' : ''}", which the Databricks CLI would substitute as a bundle reference (write \${var.<name>} or \${resources.<kind>.<key>.<field>}, or leave out "\${")`;
    }
  }
  return undefined;
}

/**
 * Text placed into pipeline SQL or `spark.sql` (comments, Auto Loader options): Databricks replaces `${key}`
 * with configuration values before parsing, and no escape turns that off, so `${` is refused. NUL and other
 * control characters are refused; line breaks and tabs are escaped.
 */
export function substitutedTextProblem(text: string): string | undefined {
  if (text.includes('${')) return 'contains "${", which Databricks replaces with a configuration value in pipeline SQL and spark.sql text';
  return controlCharacterProblem(text, { allowLineBreaks: true });
}

/** A name that becomes a file or folder name (the bundle, a target, a dashboard, a notebook, a resource key). */
export function pathSegmentProblem(name: string, suffix = ''): string | undefined {
  if (name.trim() === '') return 'is empty';
  if (name === '.' || name === '..') return 'is "." or "..", which a path cannot name';
  const slash = [...name].find((ch) => ch === '/' || ch === '\\');
  if (slash) return `contains "${slash}", which would make it a path of several folders`;
  const control = controlCharacterProblem(name);
  if (control) return control;
  const bytes = byteLength(name + suffix);
  if (bytes > NAME_RULES.pathSegmentMaxBytes) {
    return `is ${byteLength(name)} bytes long; as a file name${suffix ? ` (with "${suffix}")` : ''} it may have at most ${NAME_RULES.pathSegmentMaxBytes - byteLength(suffix)}`;
  }
  return undefined;
}

/** A name the workspace shows (job, pipeline, dashboard): not empty, one line, within the API's size. */
export function displayNameProblem(name: string, maxBytes: number = NAME_RULES.displayNameMaxBytes): string | undefined {
  if (name.trim() === '') return 'is empty';
  const control = controlCharacterProblem(name);
  if (control) return control;
  if (byteLength(name) > maxBytes) return `is ${byteLength(name)} bytes long; Databricks allows ${maxBytes}`;
  return configTextProblem(name);
}

/**
 * A resource key (`resources.<kind>.<key>`): referred to as `${resources.<kind>.<key>.id}`, which the bundle
 * schema only accepts for keys of letters and digits joined by `-` or `_`, starting with a letter.
 */
export function resourceKeyProblem(key: string): string | undefined {
  if (key === '') return 'is empty';
  if (!NAME_RULES.referenceSegment.test(key)) {
    return 'cannot be referred to as ${resources.<kind>.<key>}: use letters and digits, joined by "-" or "_", starting with a letter';
  }
  return undefined;
}

/** A job parameter name (JobParameterDefinition.name). */
export function jobParameterNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (!NAME_RULES.jobParameterName.test(name)) return 'may contain only letters, digits, "_", "-" and "."';
  return undefined;
}

/** A variable name, referred to as `${var.<name>}`. */
export function variableNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (!NAME_RULES.referenceSegment.test(name)) return 'cannot be referred to as ${var.<name>}: use letters and digits, joined by "-" or "_", starting with a letter';
  return undefined;
}

/** A notebook widget name: a key of base_parameters and the name dbutils.widgets reads. */
export function widgetNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'is empty';
  return controlCharacterProblem(name) ?? (name.includes('${') ? configTextProblem(name) : undefined);
}

/** An expectation name: a SQL constraint name and an entry of `_failed_rules`; plain words keep both simple. */
export function expectationNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (!/^[A-Za-z0-9_]+$/.test(name)) return 'must contain only letters, digits and "_"';
  return undefined;
}

/** A column name Delta accepts without column mapping, not starting with `__` (reserved for dbx-ts' helper columns). */
export function columnNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  const bad = [...name].find((ch) => NAME_RULES.deltaColumnForbidden.includes(ch));
  if (bad !== undefined) return `contains ${describeChar(bad)}, which Delta column names can't contain`;
  const control = controlCharacterProblem(name);
  if (control) return control;
  if (name.startsWith('__')) return 'starts with "__", which dbx-ts reserves for its own helper columns';
  return undefined;
}
