// validate: every diagnostic about a resolved bundle at once, sorted by file and line.
import type { Resolved } from '../model/resolve.ts';
import type { BundleModel } from '../model/types.ts';
import { checkCatalogObjects } from './catalog-objects.ts';
import { sortDiagnostics, type Diagnostic } from './diagnostic.ts';
import { checkInterpolations } from './interpolation.ts';
import { newReporter } from './locate.ts';
import { checkNotebookSources } from './notebooks.ts';
import { checkResources } from './resources.ts';
import { checkSchema } from './schema.ts';
import { checkSecrets } from './secrets.ts';
import { checkSourceFiles } from './sources.ts';
import { checkModelSql } from './sql-model.ts';
import { checkNameSlots } from './name-slots.ts';
import { checkTables } from './tables.ts';
import { checkTasks } from './tasks.ts';

export interface ValidateOptions {
  /** Project root (where package.json is); notebook sources are relative to the bundle file, see notebook-source.ts. */
  repoRoot: string;
  /** Where the SQL checks' findings are kept between runs (see sql-check-cache.ts); none when absent. */
  cacheDir?: string;
}

/** Schema and semantic checks of one resolved model; never stops at the first finding. */
export function validateModel(model: BundleModel, opts: ValidateOptions): Diagnostic[] {
  const out = newReporter(model, opts.repoRoot);
  checkSchema(model, out);
  checkTasks(model, out);
  checkResources(model, out);
  checkCatalogObjects(model, out);
  checkTables(model, out);
  checkNameSlots(model, out);
  checkInterpolations(model, out);
  checkSecrets(model, out);
  checkNotebookSources(model, opts.repoRoot, out);
  checkSourceFiles(model, opts.repoRoot, out);
  checkModelSql(model, out);
  return sortDiagnostics(out.diagnostics);
}

/**
 * What resolve found plus what validateModel finds, each problem once: where both report the same thing
 * (an undeclared variable, a dependency on another job's task), resolve's diagnostic wins, as it points at the
 * exact line that made the reference.
 */
export function validateResolved(resolved: Resolved, opts: ValidateOptions): Diagnostic[] {
  const fromResolve = resolved.diagnostics;
  const covered = new Set(fromResolve.flatMap(subjects));
  const fromModel = validateModel(resolved.model, opts).filter((d) => !subjects(d).some((s) => covered.has(s)));
  return sortDiagnostics([...fromResolve, ...fromModel]);
}

/**
 * Everything validate checks: validateResolved's findings, and the tables' SQL parsed and bound by DuckDB
 * against the columns the tables declare or derive (sql-bind.ts). Every command that checks the bundle runs this.
 */
export async function validateProject(resolved: Resolved, opts: ValidateOptions): Promise<Diagnostic[]> {
  const found = validateResolved(resolved, opts);
  return sortDiagnostics([...found, ...(await sqlChecks(resolved.model, opts))]);
}

/** The DuckDB checks, or their findings from the last run on the same tables. */
async function sqlChecks(model: BundleModel, opts: ValidateOptions): Promise<Diagnostic[]> {
  const cache = opts.cacheDir ? await import('./sql-check-cache.ts') : undefined;
  const key = cache ? cache.sqlCheckKey(model, opts.repoRoot) : '';
  const cached = cache && opts.cacheDir ? await cache.cachedSqlChecks(opts.cacheDir, key, opts.repoRoot) : undefined;
  if (cached) return cached;
  const out = newReporter(model, opts.repoRoot);
  const { checkTableSql } = await import('./sql-bind.ts');
  await checkTableSql(model, out);
  if (cache && opts.cacheDir) await cache.rememberSqlChecks(opts.cacheDir, key, out.diagnostics, opts.repoRoot);
  return out.diagnostics;
}

/** What a diagnostic is about, for recognising the same problem reported by resolve and by a check. */
function subjects(d: Diagnostic): string[] {
  const variable = /^Variable "([^"]+)"/.exec(d.message)?.[1];
  if (variable !== undefined) return [`variable:${variable}`];
  if (d.path && /\.depends_on\[\d+\]$/.test(d.path)) return [`dependency:${d.path}`];
  return [];
}

export { errorCount, sortDiagnostics, type Diagnostic, type Severity } from './diagnostic.ts';
export { formatDiagnostic, formatDiagnostics, diagnosticJson, type DiagnosticJson } from './format.ts';
export { checkSql, type SqlFinding } from './sql-subset.ts';
