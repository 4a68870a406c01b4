// Unit tests of a bundle's own tables: `runTablesLocally(app, { files })` lands a few rows where the job's files
// sources read, runs the job as `dbx-ts run <job> -t local` does (the same function: build, deploy to the local
// workspace, tasks in dependency order on DuckDB) in a scratch folder, and gives query access to the result, so a
// project tests its expectations, dedupe and quarantine from day one. Nothing is deployed to a workspace.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from '../constructs/bundle.ts';
import { TableHandle } from '../constructs/table-handle.ts';
import { RunFailedError, UserError } from '../errors/index.ts';
import type { DbxEvent } from '../events/types.ts';
import type { TableUpdateResult } from '../local/engine/accounting.ts';
import { landingSources } from '../local/landing.ts';
import { localPaths } from '../local/paths.ts';
import { resolve } from '../model/resolve.ts';
import type { BundleModel } from '../model/types.ts';
import { envWithVarFlags, missingVariableHint, variableValues, withVariableValues } from '../model/variables.ts';
import { quoteIdent } from '../sql/quote.ts';
import type { SqlParams, SqlRow } from '../sql/types.ts';
import { writeLandingFile, type LandingContent } from './landing-files.ts';

export type { LandingContent } from './landing-files.ts';

/** Files for one table's landing folder: rows or text for one file, or `{ 'name.json': rows or text, ... }`. */
export type LandingFiles = LandingContent | Record<string, LandingContent>;

export interface RunTablesLocallyOptions {
  /** The job to run (default: the bundle's only job). */
  job?: string;
  /**
   * Files to land before the run, by the table whose files source reads them: `'bronze.orders_raw'`, or a
   * handle's `.name`. Written in the source's format (JSON lines, CSV with a header, Parquet).
   */
  files?: Record<string, LandingFiles>;
  /** Job parameters, as `--param name=value` gives them. */
  params?: Record<string, string>;
  /** Variable values, as `--var name=value` gives them. */
  vars?: Record<string, string>;
  /** The target (default: the bundle's default target); it must be a local one. */
  target?: string;
  /** The environment (default: process.env): `BUNDLE_VAR_<name>`, local secrets `DBX_TS_SECRET_<SCOPE>__<KEY>`. */
  env?: NodeJS.ProcessEnv;
}

/** What a local run of the job gives a test. */
export interface LocalTablesRun {
  /** The model the job ran from (the bundle resolved for the target, with its variable values). */
  readonly model: BundleModel;
  /** Counts of the latest run's table updates (rows read, inserted, updated, quarantined, duplicates removed). */
  readonly tables: readonly TableUpdateResult[];
  /** Events of the latest run, as `dbx-ts run --json` prints them. */
  readonly events: readonly DbxEvent[];
  /** Every row of a table (`'silver.orders'` or its handle), ordered by `orderBy` or by every column; engine columns left out. */
  rows(table: string | TableHandle, options?: { orderBy?: string }): Promise<SqlRow[]>;
  /** Any SQL on the local catalog; `${catalog}` (and so a table handle in a template string) names it. */
  query(sql: string, params?: SqlParams): Promise<SqlRow[]>;
  /** Lands more files and runs the job again, as its next scheduled run does (streaming tables read only new files). */
  update(options?: Pick<RunTablesLocallyOptions, 'files' | 'params'>): Promise<void>;
  /** Removes the scratch folder. */
  close(): Promise<void>;
}

/** Columns the local engine keeps for itself (commit versions); Databricks tables have none of them. */
const INTERNAL_COLUMN = /^(_commit_version|__dbx_.*)$/;

function pickJob(model: BundleModel, job: string | undefined): string {
  const keys = Object.keys(model.resources.jobs);
  if (job !== undefined) return job;
  if (keys.length === 1) return keys[0]!;
  throw new UserError(`runTablesLocally: the bundle has ${keys.length} jobs; say which to run.`, `runTablesLocally(app, { job: '<key>' }); jobs: ${keys.join(', ') || 'none'}.`);
}

/** The bundle resolved for the target, with variable values as the CLI's project loader gives them. */
function localModel(app: Bundle, options: RunTablesLocallyOptions, env: NodeJS.ProcessEnv): { model: BundleModel; resolved: ReturnType<typeof resolve> } {
  const resolved = resolve(app, options.target);
  const errors = resolved.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new UserError(`runTablesLocally: the bundle has errors:\n  ${errors.map((d) => d.message).join('\n  ')}`, 'npx dbx-ts validate names each with its line.');
  const { values, missing, unknownFlags } = variableValues(resolved.model, { flags: options.vars ?? {}, env });
  if (unknownFlags.length > 0) throw new UserError(`runTablesLocally: vars names ${unknownFlags.join(', ')}, which the bundle does not declare.`);
  if (missing.length > 0) throw new UserError(`runTablesLocally: no value for ${missing.join(', ')} on target ${resolved.model.target.name}.`, missingVariableHint(missing, resolved.model.target.name));
  const model = withVariableValues(resolved.model, values, app.props.catalog_variable ?? 'catalog');
  if (!model.target.local) throw new UserError(`runTablesLocally: target ${model.target.name} is not a local target.`, 'Run on a target with local: true (the default target of a project made by dbx-ts init).');
  return { model, resolved };
}

/** `schema.table` of a name as a test writes it: `silver.orders`, `${catalog}.silver.orders` or `<catalog>.silver.orders`. */
function schemaTable(name: string, catalog: string): string {
  const parts = name.split('.');
  return (parts.length === 3 && (parts[0] === '${catalog}' || parts[0] === catalog) ? parts.slice(1) : parts).join('.').toLowerCase();
}

export async function runTablesLocally(app: Bundle, options: RunTablesLocallyOptions = {}): Promise<LocalTablesRun> {
  const { DBX_TS_LOCAL_DIR: _elsewhere, ...inherited } = options.env ?? process.env;
  const env = envWithVarFlags(inherited, options.vars ?? {});
  const { model, resolved } = localModel(app, options, env);
  const jobKey = pickJob(model, options.job);
  const job = model.resources.jobs[jobKey];
  if (!job) throw new UserError(`runTablesLocally: no job "${jobKey}" in the bundle.`, `Jobs: ${Object.keys(model.resources.jobs).join(', ') || 'none'}.`);
  const [{ runLocalJob }, { openLocalDatabase }] = await Promise.all([import('../local/run-local.ts'), import('../local/engine/index.ts')]);

  const dir = await mkdtemp(join(tmpdir(), 'dbx-ts-tables-'));
  const paths = localPaths(dir, {});
  // Tests land their own rows: the bundle's simulator (for a first run with an empty landing zone) stays out.
  const extensions = { ...resolved.extensions, simulator: undefined };
  let fileNumber = 0;
  const land = async (files: Record<string, LandingFiles> = {}): Promise<void> => {
    const sources = landingSources(model, job.settings.tasks, paths);
    for (const [name, given] of Object.entries(files)) {
      const source = sources.find((s) => schemaTable(s.table, model.catalog) === schemaTable(name, model.catalog));
      if (!source) {
        const readers = sources.map((s) => schemaTable(s.table, model.catalog));
        throw new UserError(`runTablesLocally: no table "${name}" of job ${jobKey} reads files.`, `Tables with a files source: ${readers.join(', ') || 'none'}.`);
      }
      const named = typeof given === 'string' || Array.isArray(given) ? { [`test-${++fileNumber}.${source.format}`]: given as LandingContent } : (given as Record<string, LandingContent>);
      for (const [file, content] of Object.entries(named)) await writeLandingFile(join(source.localDir, file), source.format, content);
    }
  };

  let events: DbxEvent[] = [];
  let tables: TableUpdateResult[] = [];
  const update = async (opts: Pick<RunTablesLocallyOptions, 'files' | 'params'> = {}): Promise<void> => {
    await land(opts.files);
    events = [];
    try {
      const result = await runLocalJob({ model, projectRoot: dir, jobKey, env, sink: (e) => events.push(e), extensions, params: opts.params ?? options.params ?? {}, showResults: false });
      tables = result.updates.flatMap((u) => u.tables);
    } catch (error) {
      if (!(error instanceof RunFailedError)) throw error;
      // The task's own error, as the run's output says it.
      const why = events.filter((e) => e.level === 'error' && e.code === 'log').map((e) => e.message.split('\n')[0]);
      throw new RunFailedError(`runTablesLocally: job ${jobKey} failed: ${why.join('; ') || error.message}`, error.outcome, error.task);
    }
  };

  const all = async (text: string, params?: SqlParams): Promise<SqlRow[]> => {
    const db = await openLocalDatabase(paths.database, model.catalog);
    try {
      const sql = await db.openSqlClient();
      try {
        const rows: SqlRow[] = [];
        for await (const row of sql.query(text.replaceAll('${catalog}', model.catalog), params)) rows.push(row);
        return rows;
      } finally {
        await sql.close();
      }
    } finally {
      await db.close();
    }
  };
  const columnsOf = async (schema: string, table: string): Promise<string[]> => {
    const rows = await all(
      'SELECT column_name FROM information_schema.columns WHERE table_catalog = :catalog AND table_schema = :schema AND table_name = :table ORDER BY ordinal_position',
      { catalog: model.catalog, schema, table },
    );
    return rows.map((r) => String(r['column_name'])).filter((c) => !INTERNAL_COLUMN.test(c));
  };

  try {
    await update({ files: options.files ?? {} });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    model,
    get tables() {
      return tables;
    },
    get events() {
      return events;
    },
    rows: async (table, opts = {}) => {
      const name = table instanceof TableHandle ? table.name : schemaTable(table, model.catalog);
      const [schema, t, extra] = name.split('.');
      if (!schema || !t || extra !== undefined) throw new UserError(`rows("${name}"): name a table of the bundle's catalog as <schema>.<table>.`);
      const columns = await columnsOf(schema, t);
      if (columns.length === 0) throw new UserError(`rows("${name}"): table ${model.catalog}.${name} does not exist after the run.`);
      const list = columns.map(quoteIdent).join(', ');
      return all(`SELECT ${list} FROM ${[model.catalog, schema, t].map(quoteIdent).join('.')} ORDER BY ${opts.orderBy ?? list}`);
    },
    query: (text, params) => all(text, params),
    update,
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
