// NotebookModel → a Databricks notebook source file, rendered from its template under notebooks-src/.
// Templates may only call escaping helpers (see notebook-helpers-code.ts); output is deterministic.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { NotebookModel } from '../model/types.ts';
import { UserError } from '../errors/index.ts';
import { packageFile } from '../package-root.ts';
import { notebookHelpers, PYTHON_HELPERS, SQL_HELPERS, templateProblems } from './notebook-helpers-code.ts';
import { sourceFile } from './notebook-source.ts';
import { defaultCheckpointRoot, optimizeTargets, pyOptimizeCell, pyTableCells } from './table-code.ts';
import { QUALITY_TABLE_COLUMNS, qualityTableFor } from '../model/table-semantics.ts';
import { pyStr } from './escape.ts';

export interface NotebookContext {
  /** The target's catalog: the default of the `catalog` widget. */
  catalog: string;
  bundleName: string;
  /** The directory notebook sources are relative to: the bundle file's (see notebook-source.ts). */
  sourceDir: string;
  /** The target's variable values, to resolve `${var.<name>}` in widget defaults. */
  variables?: Record<string, string | number | boolean>;
}

/** The table runtime ships with dbx-ts. */
const LIB_DIR = packageFile('notebooks-src', 'lib');

const FORMAT = {
  PYTHON: { header: '# Databricks notebook source', separator: '# COMMAND ----------' },
  SQL: { header: '-- Databricks notebook source', separator: '-- COMMAND ----------' },
} as const;

export function renderNotebook(nb: NotebookModel, ctx: NotebookContext): string {
  const file = templatePath(ctx.sourceDir, nb.source);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Notebook source ${nb.source} was not found.`, `Create ${file} or fix the notebook's \`source\` (relative to the bundle file).`);
  }
  const body = nb.source.endsWith('.hbs') ? renderTemplate(source, nb, ctx, path.dirname(file)) : source;
  return toNotebookFormat(body, nb.language);
}

function renderTemplate(source: string, nb: NotebookModel, ctx: NotebookContext, templateDir: string): string {
  const problems = templateProblems(source, nb.language);
  if (problems.length > 0) {
    throw new UserError(`Notebook template ${nb.source} places values without escaping:\n  ${problems.join('\n  ')}`);
  }
  const widgets = widgetDefaults(nb, ctx);
  const separator = `\n\n${FORMAT[nb.language].separator}\n\n`;
  const env = Handlebars.create();
  const helpers = notebookHelpers({
    nb,
    widgets,
    tablesCode: () => {
      const checkpointRoot = stringParameter(nb, 'checkpoint_root') ?? defaultCheckpointRoot(nb.tables);
      return pyTableCells(nb.tables, checkpointRoot ? { checkpointRoot } : {}).join(separator);
    },
    optimizeCode: () => pyOptimizeCell(optimizeTargets(nb.tables)),
    tablesRuntime: () => runtimeImportCode(nb),
    include: (relative) => readInclude(templateDir, relative, nb.source),
  });
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);
  const knownHelpers = Object.fromEntries([...PYTHON_HELPERS, ...SQL_HELPERS].map((h) => [h, true]));
  const template = env.compile(source, { strict: true, knownHelpers, knownHelpersOnly: true });
  const data = {
    parameters: nb.parameters,
    widgets: Object.fromEntries(widgets),
    catalog: ctx.catalog,
    bundle_name: ctx.bundleName,
  };
  try {
    return template(data);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Rendering ${nb.source} failed: ${(error as Error).message}`);
  }
}

/**
 * The notebook's widgets with defaults for this target, `catalog` always first: `${var.<name>}` resolves to the
 * variable's value, so a notebook run by hand uses the target's values; the catalog and schemas have no default.
 */
export function widgetDefaults(nb: NotebookModel, ctx: NotebookContext): [string, string][] {
  const resolveVars = (value: string) =>
    value.replace(/\$\{var\.([A-Za-z0-9_-]+)\}/g, (_whole, name: string) => {
      const v = ctx.variables?.[name];
      // An unresolved variable leaves the default empty rather than a literal `${var...}`.
      return v !== undefined ? String(v) : '';
    });
  // Where data lives is the job's to say, per target (`catalog`, `schema_<name>`): a default naming one target's
  // catalog or schema would write there when the notebook runs by hand, so those defaults are empty.
  const placement = (name: string, def: string) => name === 'catalog' || def.includes('${resources.');
  const entries = Object.entries(nb.widgets).map(([name, def]): [string, string] => [name, placement(name, def) ? '' : resolveVars(def)]);
  const catalog = entries.find(([name]) => name === 'catalog') ?? ['catalog', ''];
  const rest = entries.filter(([name]) => name !== 'catalog').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [catalog, ...rest];
}

/** Header first, then the cells (blank lines around each trimmed) separated by the language's separator. */
export function toNotebookFormat(body: string, language: NotebookModel['language']): string {
  const { header, separator } = FORMAT[language];
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const cells: string[][] = [[]];
  for (const line of lines) {
    if (line.trimEnd() === header) continue;
    if (line.trimEnd() === separator) cells.push([]);
    else cells[cells.length - 1]!.push(line);
  }
  const texts = cells.map((c) => c.join('\n').replace(/^\s*\n|\s+$/g, '')).filter((t) => t.trim().length > 0);
  return `${header}\n${texts.join(`\n\n${separator}\n\n`)}\n`;
}

function templatePath(sourceDir: string, source: string): string {
  const found = sourceFile(sourceDir, source);
  if ('problem' in found) throw new UserError(`Notebook source "${source}" ${found.problem}.`);
  return found.file;
}

/** A file of the bundle's own code placed verbatim (e.g. a Python library), relative to the template's folder. */
function readInclude(templateDir: string, relative: string, template: string): string {
  const found = sourceFile(templateDir, relative);
  if ('problem' in found) throw new UserError(`py_include "${relative}" in ${template}: the path ${found.problem}.`);
  try {
    return readFileSync(found.file, 'utf8').trim();
  } catch {
    throw new UserError(`py_include "${relative}" in ${template}: ${found.file} was not found.`, 'Include paths are relative to the template file.');
  }
}

/** Where the table runtime is deployed in the bundle: once, as a workspace file the notebooks import. */
export const TABLES_RUNTIME_PATH = 'src/lib/dbx_ts_tables.py';

/** The table runtime's source (a plain Python module). */
export function tablesRuntimeSource(): string {
  return `${readFileSync(path.join(LIB_DIR, 'tables_runtime.py'), 'utf8').trim()}\n`;
}

/**
 * The cell that imports the runtime and creates `rt`. Serverless does not promise the notebook's folder as the
 * working directory, so the module's folder is found from the notebook's own workspace path (the working
 * directory only when that is unknown, e.g. outside a job or notebook context).
 */
function runtimeImportCode(nb: NotebookModel): string {
  const relative = path.posix.relative(path.posix.dirname(nb.path), path.posix.dirname(TABLES_RUNTIME_PATH));
  const module = path.posix.basename(TABLES_RUNTIME_PATH, '.py');
  const columns = QUALITY_TABLE_COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ');
  return [
    `# The table runtime is deployed once with the bundle (${TABLES_RUNTIME_PATH}) and imported here.`,
    'import os',
    'import sys',
    'import uuid',
    '',
    '',
    'def _dbx_ts_lib_dir():',
    '    try:',
    '        notebook = dbutils.notebook.entry_point.getDbutils().notebook().getContext().notebookPath().get()',
    '        folder = os.path.dirname(notebook if notebook.startswith("/Workspace/") else "/Workspace" + notebook)',
    '    except Exception:  # no notebook context',
    '        folder = os.getcwd()',
    `    return os.path.normpath(os.path.join(folder, ${pyStr(relative)}))`,
    '',
    '',
    'sys.path.insert(0, _dbx_ts_lib_dir())',
    `import ${module}  # noqa: E402`,
    '',
    `rt = ${module}.Runtime(`,
    '    spark,',
    '    dbutils,',
    '    WIDGETS,',
    `    quality_table=${pyStr(`\${catalog}.${qualityTableFor(nb.tables)}`)},`,
    `    quality_columns=${pyStr(columns)},`,
    '    run_id=str(uuid.uuid4()),',
    ')',
  ].join('\n');
}

function stringParameter(nb: NotebookModel, name: string): string | undefined {
  const v = nb.parameters[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
