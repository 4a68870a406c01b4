// The DuckDB checks' findings kept between runs (`.dbx-ts/cache/sql-checks.json`), keyed by everything they
// depend on: the tables, pipeline configuration, notebook widgets, external tables, variable values and catalog
// of the model, and the code and DuckDB that checked them. An unchanged bundle is then validated without
// starting DuckDB (the native library alone costs a few hundred milliseconds), as eslint and tsc keep results.
// Source locations count relative to the project folder, in the key and in the findings kept: a project checked
// out or copied elsewhere keeps its results, and a definition moved to another line is checked again.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BundleModel } from '../model/types.ts';
import type { Diagnostic } from './diagnostic.ts';

const FILE = 'sql-checks.json';
/** Results of this many models are kept (targets, branches switched back and forth). */
const KEEP = 8;

type Entries = Record<string, { at: number; diagnostics: Diagnostic[] }>;

/** What the checks' code is: its files' sizes and times, and the DuckDB version (so an upgrade checks again). */
function codeVersion(): string {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const files = ['sql-bind', 'sql-engine', 'sql-check-cache'].map((name) => {
    try {
      const s = statSync(fileURLToPath(new URL(`./${name}.${ext}`, import.meta.url)));
      return `${name}:${s.size}:${s.mtimeMs}`;
    } catch {
      return `${name}:?`;
    }
  });
  let duckdb = '?';
  try {
    duckdb = (createRequire(import.meta.url)('@duckdb/node-api/package.json') as { version: string }).version;
  } catch {
    // the version stays unknown: results are still keyed by the model and the code
  }
  return [...files, `duckdb:${duckdb}`].join(',');
}

/** The key of a model's SQL checks. */
export function sqlCheckKey(model: BundleModel, root: string): string {
  const pipelines = Object.entries(model.resources.pipelines).map(([key, p]) => [key, p.settings['configuration'] ?? null, p.settings.schema ?? null, p.tables]);
  const notebooks = Object.entries(model.notebooks).map(([key, nb]) => [key, nb.widgets, nb.tables]);
  const inputs = [codeVersion(), model.catalog, model.variables, model.target.variables, model.external_tables ?? [], pipelines, notebooks];
  return createHash('sha256').update(JSON.stringify(relocated(inputs, (file) => inProject(root, file)))).digest('hex');
}

const isLocation = (v: unknown): v is { file: string; line: number } =>
  typeof v === 'object' && v !== null && typeof (v as { file?: unknown }).file === 'string' && typeof (v as { line?: unknown }).line === 'number';

/** The value with every source location's file passed through `move`. */
function relocated<T>(value: T, move: (file: string) => string): T {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (isLocation(v) ? { ...v, file: move(v.file) } : v)) as T;
}

/** A file in the project as a path relative to it (kept as it is when outside). */
function inProject(root: string, file: string): string {
  const rel = relative(root, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : `./${rel}`;
}

async function read(dir: string): Promise<Entries> {
  try {
    return JSON.parse(await readFile(join(dir, FILE), 'utf8')) as Entries;
  } catch {
    return {};
  }
}

export async function cachedSqlChecks(dir: string, key: string, root: string): Promise<Diagnostic[] | undefined> {
  const found = (await read(dir))[key]?.diagnostics;
  return found && relocated(found, (file) => (file.startsWith('./') ? resolve(root, file) : file));
}

/** Keeps the findings for the key (the newest few only); a cache that cannot be written is no error. */
export async function rememberSqlChecks(dir: string, key: string, diagnostics: Diagnostic[], root: string): Promise<void> {
  try {
    const entries = { ...(await read(dir)), [key]: { at: Date.now(), diagnostics: relocated(diagnostics, (file) => inProject(root, file)) } };
    const kept = Object.fromEntries(Object.entries(entries).sort(([, a], [, b]) => b.at - a.at).slice(0, KEEP));
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `${FILE}.${process.pid}.tmp`);
    await writeFile(tmp, JSON.stringify(kept));
    await rename(tmp, join(dir, FILE));
  } catch {
    // read-only project folder: the checks simply run again next time
  }
}
