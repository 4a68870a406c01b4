// What each task of a job does on the local target: the same model the bundle deploys, run on DuckDB.
// Pipeline tasks run the pipeline's tables; notebook tasks run the notebook's local implementation if the bundle
// gives one, else build the notebook's tables; dashboard tasks render the dashboard to HTML (and its data snapshot);
// run-job tasks start a run of the other job on the local workspace (src/emulator/sim/live-runs.ts). Condition
// and for-each tasks are carried out by the shared scheduler (src/jobs/run-tasks.ts), which calls back here for
// each iteration.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { qualityTableFor } from '../model/table-semantics.ts';
import { ExpectationFailedError, UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { TaskValueSetter } from '../jobs/task-values.ts';
import type { Extensions } from '../extensions/registry.ts';
import type { LocalNotebookContext } from '../extensions/types.ts';
import type { BundleModel, NotebookModel, TableModel, TaskSettings } from '../model/types.ts';
import { dashboardOf, localDatasetSchema, renderLocalDashboard } from './dashboard-render.ts';
import type { LocalDatabases } from './databases.ts';
import { resolveLocation, runTables, type UpdateResult } from './engine/index.ts';
import { resetTables } from './engine/reset.ts';
import { checkTaskRefresh, recordTaskRefresh } from './task-refresh.ts';
import type { LocalPaths } from './paths.ts';
import type { LocalSecrets } from './secrets.ts';
import { bindConfiguration, bindWidgetValues, notebookWidgetValues, type VariableValues } from './task-parameters.ts';

export interface LocalTaskContext {
  model: BundleModel;
  extensions: Extensions;
  databases: LocalDatabases;
  paths: LocalPaths;
  secrets: LocalSecrets;
  env: NodeJS.ProcessEnv;
  sink: EventSink;
  /** The run's job parameters (declared defaults, overridden by --param). */
  jobParameters: Readonly<Record<string, string>>;
  /** The target's variable values, for `${var.<name>}` in widget defaults and base_parameters. */
  variables: VariableValues;
  /** Pipeline update id per pipeline key, for `show quality`. */
  updates: Map<string, UpdateResult>;
  /** The run's id, recorded with what derived tasks last refreshed from. */
  runId?: string;
  /** Rebuild every table (as a pipeline full refresh) and refresh derived tasks even when nothing they read changed. */
  fullRefresh?: boolean;
}

const REF = /^\$\{resources\.(\w+)\.([^.}]+)\.id\}$/;
const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The key of the pipeline a pipeline task runs (`${resources.pipelines.<key>.id}`), if it is one. */
export function pipelineKeyOf(task: TaskSettings): string | undefined {
  const m = REF.exec(String((task['pipeline_task'] as { pipeline_id?: unknown } | undefined)?.pipeline_id ?? ''));
  return m && m[1] === 'pipelines' ? m[2] : undefined;
}

function referencedKey(ref: unknown, kind: string, task: string): string {
  const m = REF.exec(String(ref));
  if (!m || m[1] !== kind) throw new UserError(`Task "${task}" refers to ${String(ref)}, which the local target cannot resolve.`);
  return m[2]!;
}

function notebookFor(model: BundleModel, path: unknown, task: string): [string, NotebookModel] {
  const found = Object.entries(model.notebooks).find(([, n]) => n.path === path);
  if (!found) throw new UserError(`Task "${task}" runs ${String(path)}, which is not a notebook of this bundle.`);
  return found;
}

async function runTablesIn(
  ctx: LocalTaskContext,
  catalog: string,
  name: string,
  tables: readonly TableModel[],
  { qualityTable, fullRefresh = false, signal }: { qualityTable?: string | undefined; fullRefresh?: boolean; signal?: AbortSignal } = {},
): Promise<UpdateResult> {
  let result: UpdateResult;
  const db = await ctx.databases.get(catalog);
  if (fullRefresh || ctx.fullRefresh) {
    await resetTables(db, tables, catalog);
    ctx.sink({ code: 'log', level: 'info', message: `${name}: full refresh: ${tables.map((t) => t.name).join(', ')} dropped and rebuilt from their sources`, data: { tables: tables.map((t) => t.name) } });
  }
  try {
    result = await runTables(db, tables, {
      catalog,
      landingRoot: ctx.paths.volumes,
      pipelineName: name,
      sink: ctx.sink,
      ...(qualityTable ? { qualityTable } : {}),
      // A cancelled run or a timed-out attempt interrupts the statement running (its table is left as it was).
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    // A violated `fail` expectation: show the offending rows, as a DLT update's error does.
    if (error instanceof ExpectationFailedError && error.sample.length > 0) {
      const columns = Object.keys(error.sample[0]!);
      ctx.sink({
        code: 'table.preview',
        level: 'error',
        message: `Rows of ${error.dataset} that broke expectation ${error.expectation} (a sample):`,
        data: { table: error.dataset, columns, rows: error.sample.map((row) => columns.map((c) => row[c])) },
      });
    }
    throw error;
  }
  ctx.updates.set(name, result);
  return result;
}

function describeUpdate(result: UpdateResult): string {
  const read = result.tables.reduce((n, t) => n + t.rows_read, 0);
  const written = result.tables.reduce((n, t) => n + t.rows_inserted + t.rows_updated, 0);
  const quarantined = result.tables.reduce((n, t) => n + t.rows_quarantined, 0);
  const skipped = result.tables.filter((t) => t.refresh?.technique === 'NO_OP').length;
  if (skipped === result.tables.length) return `skipped: inputs unchanged (${skipped} tables)`;
  return `${read} rows read, ${written} written, ${quarantined} quarantined${skipped > 0 ? `, ${skipped} of ${result.tables.length} tables unchanged` : ''}`;
}

async function runDashboard(ctx: LocalTaskContext, key: string): Promise<string> {
  const dashboard = dashboardOf(ctx.model, key);
  const db = await ctx.databases.get(ctx.model.catalog);
  const schema = localDatasetSchema(ctx.model, dashboard.settings['dataset_schema']);
  // Rendered again only when what it shows may have changed: the tables of its schema, or its own definition.
  const reads = schema !== undefined ? [schema] : undefined;
  const refresh = await checkTaskRefresh(db, `dashboard:${key}`, reads, dashboard);
  const file = join(ctx.paths.dashboards, `${key}.html`);
  const written = existsSync(file) && existsSync(join(ctx.paths.dashboards, `${key}.json`));
  if (refresh.unchanged && !ctx.fullRefresh && written) {
    ctx.sink({ code: 'log', level: 'info', message: `Dashboard ${key} skipped: what it shows is unchanged (${file})`, data: { dashboard: key, skipped: true } });
    return `skipped: ${schema ?? 'its data'} unchanged`;
  }
  const { html } = await renderLocalDashboard(ctx.model, key, db, ctx.paths.dashboards, ctx.sink);
  await recordTaskRefresh(db, `dashboard:${key}`, reads, dashboard, ctx.runId ?? '');
  return html;
}

/** For a caller that keeps no task values: setting one is an error rather than a value silently lost. */
function noTaskValues(task: string): TaskValueSetter {
  return {
    set: (key) => {
      throw new UserError(`Task "${task}" sets task value "${key}", but this runner keeps no task values.`);
    },
  };
}

async function runNotebook(ctx: LocalTaskContext, task: TaskSettings, signal: AbortSignal, values: TaskValueSetter | undefined): Promise<string> {
  const key = task.task_key;
  const [notebookKey, nb] = notebookFor(ctx.model, (task['notebook_task'] as { notebook_path: string }).notebook_path, key);
  const widgets = notebookWidgetValues(nb, task, ctx.jobParameters, ctx.variables);
  const catalog = widgets['catalog'] || ctx.model.catalog;
  if (!PLAIN_IDENTIFIER.test(catalog)) {
    throw new UserError(`Task "${key}": the catalog widget must be a plain identifier (letters, digits, _), got "${catalog}".`);
  }
  const tables = bindWidgetValues(nb.tables, nb, widgets);
  // The notebook's quality goes to the same <schema>.dbx_ts_quality table the generated notebook appends to.
  const runOwnTables = async () =>
    tables.length === 0 ? 'no tables to build' : describeUpdate(await runTablesIn(ctx, catalog, key, tables, { qualityTable: qualityTableFor(tables), signal }));
  const local = ctx.extensions.localNotebooks[notebookKey];
  if (local) {
    // Set when the implementation asks whether its inputs changed: then what it leaves is recorded on success.
    let watched: { schemas: readonly string[] | undefined } | undefined;
    const refreshKey = `notebook:${key}`;
    // What else its output depends on: its widget values, and which of its secrets are set (never their values).
    const secretsSet = Object.fromEntries(Object.entries(nb.secrets).map(([name, ref]) => [name, ctx.secrets.get(ref.scope, ref.key) !== undefined]));
    const settings = { widgets, secrets: secretsSet };
    const notebookCtx: LocalNotebookContext = {
      task_key: key,
      notebook_key: notebookKey,
      notebook: nb,
      widgets,
      catalog,
      model: ctx.model,
      openSql: async () => (await ctx.databases.get(catalog)).openSqlClient(),
      runTables: runOwnTables,
      secret: (name) => {
        const ref = nb.secrets[name];
        if (!ref) throw new UserError(`Notebook "${notebookKey}" reads secret "${name}", which it does not declare.`, `Declared: ${Object.keys(nb.secrets).join(', ') || 'none'}.`);
        return ctx.secrets.get(ref.scope, ref.key);
      },
      env: ctx.env,
      sink: ctx.sink,
      paths: ctx.paths,
      localPath: (volumePath) => resolveLocation(volumePath, catalog, ctx.paths.volumes).localDir,
      signal,
      taskValues: values ?? noTaskValues(key),
      inputsUnchanged: async (schemas) => {
        watched = { schemas };
        if (ctx.fullRefresh) return false;
        return (await checkTaskRefresh(await ctx.databases.get(catalog), refreshKey, schemas, settings)).unchanged;
      },
    };
    const outcome = (await local(notebookCtx)) || 'done';
    if (watched) await recordTaskRefresh(await ctx.databases.get(catalog), refreshKey, watched.schemas, settings, ctx.runId ?? '');
    return outcome;
  }
  if (tables.length > 0) return runOwnTables();
  ctx.sink({
    code: 'log',
    level: 'warn',
    message: `Task ${key}: notebook "${notebookKey}" declares no tables and the bundle gives it no local implementation, so nothing ran locally.`,
    data: { task_key: key },
  });
  return 'nothing to run locally';
}

export function localTaskExecutor(ctx: LocalTaskContext) {
  return async (task: TaskSettings, signal: AbortSignal, values?: TaskValueSetter): Promise<string> => {
    const key = task.task_key;
    if (task['pipeline_task']) {
      const pipelineKey = referencedKey((task['pipeline_task'] as { pipeline_id: string }).pipeline_id, 'pipelines', key);
      const pipeline = ctx.model.resources.pipelines[pipelineKey];
      if (!pipeline) throw new UserError(`Task "${key}" refers to pipeline "${pipelineKey}", which is not in the bundle.`);
      const tables = bindConfiguration(pipeline.tables, pipeline.settings['configuration'], ctx.variables);
      const fullRefresh = (task['pipeline_task'] as { full_refresh?: unknown }).full_refresh === true;
      return describeUpdate(await runTablesIn(ctx, ctx.model.catalog, pipeline.settings.name, tables, { fullRefresh, signal }));
    }
    if (task['notebook_task']) return runNotebook(ctx, task, signal, values);
    if (task['dashboard_task']) {
      const dashKey = referencedKey((task['dashboard_task'] as { dashboard_id: string }).dashboard_id, 'dashboards', key);
      return runDashboard(ctx, dashKey);
    }
    throw new UserError(
      `Task "${key}" has a task type the local target does not run (it runs pipeline, notebook, dashboard, condition, for-each and run-job tasks).`,
    );
  };
}
