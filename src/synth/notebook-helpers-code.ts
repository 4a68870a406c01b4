// The handlebars helpers notebook templates may use, and the guard that keeps templates to them.
// Every helper returns text already escaped for the notebook's language; a template can't place a raw value.
import Handlebars from 'handlebars';
import type { NotebookModel } from '../model/types.ts';
import { UserError } from '../errors/index.ts';
import { pyStr, pyValue, sqlIdent, sqlStr, sqlTableRef, type PyLiteralValue } from './escape.ts';

export interface HelperInputs {
  nb: NotebookModel;
  /** Widget names and resolved defaults, `catalog` first. */
  widgets: [string, string][];
  /** Python for the notebook's tables (cells joined by separators). */
  tablesCode: () => string;
  /** Python that OPTIMIZEs the notebook's stored tables and the tables its views read. */
  optimizeCode: () => string;
  /** The Python table runtime (notebooks-src/lib/tables_runtime.py). */
  tablesRuntime: () => string;
  /** A file of the bundle's own code, relative to the template, placed verbatim. */
  include: (relativePath: string) => string;
}

type Helper = (...args: unknown[]) => Handlebars.SafeString;

/** Helpers whose output is Python code or a Python literal: allowed as top-level mustaches in Python notebooks. */
export const PYTHON_HELPERS = [
  'py_str',
  'py_value',
  'json',
  'py_secret',
  'py_widgets',
  'py_widget',
  'py_tables',
  'py_optimize',
  'py_tables_runtime',
  'py_include',
  'md',
] as const;
/** Helpers whose output is SQL text: allowed top-level only in SQL notebooks, anywhere as sub-expressions. */
export const SQL_HELPERS = ['sql_str', 'sql_ident', 'sql_table'] as const;

export function notebookHelpers(inputs: HelperInputs): Record<string, Helper> {
  const safe = (text: string) => new Handlebars.SafeString(text);
  const widgetNames = new Set(inputs.widgets.map(([name]) => name));
  return {
    py_str: (value) => safe(pyStr(scalarText(value, 'py_str'))),
    // `indent=0` writes lists and maps one item per line.
    py_value: (value, options) => safe(pyValue(literal(value), indentOf(options))),
    json: (value) => safe(pyStr(JSON.stringify(literal(value)))),
    py_secret: (name) => {
      const ref = inputs.nb.secrets[scalarText(name, 'py_secret')];
      if (!ref) {
        throw new UserError(
          `Notebook ${inputs.nb.source} reads secret "${String(name)}", which the notebook does not declare.`,
          `Declared secrets: ${Object.keys(inputs.nb.secrets).join(', ') || 'none'}.`,
        );
      }
      return safe(`dbutils.secrets.get(scope=${pyStr(ref.scope)}, key=${pyStr(ref.key)})`);
    },
    py_widgets: () => safe(widgetsCode(inputs.widgets)),
    py_widget: (name) => {
      const n = scalarText(name, 'py_widget');
      if (!widgetNames.has(n)) throw new UserError(`Notebook ${inputs.nb.source} reads widget "${n}", which it does not declare.`);
      return safe(`WIDGETS[${pyStr(n)}]`);
    },
    py_tables: () => safe(inputs.tablesCode()),
    py_optimize: () => safe(inputs.optimizeCode()),
    py_tables_runtime: () => safe(inputs.tablesRuntime()),
    // The bundle's own code, not a value: it is placed as written, like the template itself.
    py_include: (relativePath) => safe(inputs.include(scalarText(relativePath, 'py_include'))),
    // Every output line is a `# MAGIC` comment line, so the text can't become code wherever it lands.
    md: (value) => safe(scalarText(value, 'md').split(/\r\n|\r|\n|\u2028|\u2029|\u0085/).map((l) => `# MAGIC ${l}`).join('\n')),
    sql_str: (value) => safe(sqlStr(scalarText(value, 'sql_str'))),
    sql_ident: (value) => safe(sqlIdent(scalarText(value, 'sql_ident'))),
    sql_table: (value) => safe(sqlTableRef(scalarText(value, 'sql_table'))),
  };
}

/** Widget definitions, then `WIDGETS` (name → value) and `CATALOG`, checked before it is substituted anywhere. */
function widgetsCode(widgets: [string, string][]): string {
  const lines = ['import re', ''];
  for (const [name, def] of widgets) lines.push(`dbutils.widgets.text(${pyStr(name)}, ${pyStr(def)})`);
  lines.push('', 'WIDGETS = {');
  for (const [name] of widgets) lines.push(`    ${pyStr(name)}: dbutils.widgets.get(${pyStr(name)}),`);
  lines.push('}');
  lines.push('CATALOG = WIDGETS["catalog"]');
  lines.push('# The catalog replaces ${catalog} as plain text (also in volume paths): only plain identifiers are safe.');
  lines.push('if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", CATALOG):');
  lines.push('    raise ValueError("The catalog widget must be a plain identifier (letters, digits, _), got %r" % (CATALOG,))');
  if (widgets.some(([name]) => name.startsWith('schema_'))) {
    // Target isolation (model/namespace.ts): generated code names the bundle's schemas `${schema_<name>}`.
    lines.push('# The schemas as deployed on this target (development mode prefixes them), substituted as the catalog is.');
    lines.push('SCHEMAS = {name: value for name, value in WIDGETS.items() if name.startswith("schema_")}');
    lines.push('for _name, _value in SCHEMAS.items():');
    lines.push('    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", _value):');
    lines.push('        raise ValueError("The %s widget must be a plain identifier (letters, digits, _), got %r" % (_name, _value))');
    lines.push('', '', 'def fill_names(text):');
    lines.push('    # `${catalog}` and each `${schema_<name>}` replaced by the names of this run.');
    lines.push('    for name, value in SCHEMAS.items():');
    lines.push('        text = text.replace("${%s}" % name, value)');
    lines.push('    return text.replace("${catalog}", CATALOG)');
  }
  return lines.join('\n');
}

function scalarText(value: unknown, helper: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Handlebars.SafeString) return value.toString();
  if (value === undefined || (typeof value === 'object' && value !== null && isHelperOptions(value))) {
    throw new UserError(`Helper ${helper} got no value: is a parameter or widget the template reads missing?`);
  }
  throw new UserError(`Helper ${helper} needs a string, number or boolean, got ${typeof value}.`);
}

function literal(value: unknown): PyLiteralValue {
  if (value instanceof Handlebars.SafeString) return value.toString();
  if (value === null || value === undefined) return null;
  if (['string', 'number', 'boolean'].includes(typeof value)) return value as PyLiteralValue;
  if (typeof value === 'object' && isHelperOptions(value)) throw new UserError('Helper needs a value argument.');
  return JSON.parse(JSON.stringify(value)) as PyLiteralValue;
}

function indentOf(options: unknown): number | undefined {
  const indent = (options as { hash?: { indent?: unknown } } | undefined)?.hash?.indent;
  if (indent === undefined) return undefined;
  if (typeof indent !== 'number' || !Number.isInteger(indent) || indent < 0) throw new UserError('py_value: indent must be a whole number ≥ 0.');
  return indent;
}

function isHelperOptions(value: object): boolean {
  return 'hash' in value && 'data' in value && 'name' in value;
}

/**
 * Problems in a template: anything but comments, text and `{{helper args}}` whose helper is allowed top-level
 * for the language (triple-stash, blocks, partials, bare values, unknown helpers). Sub-expressions may use any
 * known helper.
 */
export function templateProblems(source: string, language: NotebookModel['language']): string[] {
  const top = new Set<string>(language === 'SQL' ? SQL_HELPERS : PYTHON_HELPERS);
  const known = new Set<string>([...PYTHON_HELPERS, ...SQL_HELPERS]);
  const problems: string[] = [];
  const where = (node: hbs.AST.Node) => `line ${node.loc.start.line}`;
  const checkParams = (params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined) => {
    for (const p of [...params, ...(hash?.pairs.map((pair) => pair.value) ?? [])]) {
      if (p.type === 'SubExpression') {
        const sub = p as hbs.AST.SubExpression;
        const name = pathName(sub.path);
        if (!name || !known.has(name)) problems.push(`${where(p)}: unknown helper "${name ?? '?'}" in a sub-expression`);
        checkParams(sub.params, sub.hash);
      }
    }
  };
  for (const node of Handlebars.parse(source).body) {
    if (node.type === 'ContentStatement' || node.type === 'CommentStatement') continue;
    if (node.type !== 'MustacheStatement') {
      problems.push(`${where(node)}: ${node.type} is not allowed; use the escaping helpers only`);
      continue;
    }
    const m = node as hbs.AST.MustacheStatement;
    const name = pathName(m.path);
    if (!m.escaped) problems.push(`${where(m)}: triple-stash {{{ }}} places raw text; use an escaping helper`);
    if (!name || !top.has(name)) {
      problems.push(`${where(m)}: "{{${name ?? '?'}}}" is not an escaping helper for ${language} (allowed: ${[...top].join(', ')})`);
    }
    checkParams(m.params, m.hash);
  }
  return problems;
}

function pathName(path: hbs.AST.PathExpression | hbs.AST.Literal): string | undefined {
  return path.type === 'PathExpression' ? (path as hbs.AST.PathExpression).original : undefined;
}
