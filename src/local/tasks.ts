// What each task of a job does on the local target: the same model the bundle deploys, run on DuckDB.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeSalesMetrics, summarize, writeSummaryRow } from '../ai/index.ts';
import { queryDashboardData, renderDashboardHtml } from '../dashboard/index.ts';
import type { EventSink } from '../events/types.ts';
import { ExpectationFailedError, UserError } from '../errors/index.ts';
import type { BundleModel, NotebookModel, TaskSettings } from '../model/types.ts';
import { runTables, type LocalDatabase, type UpdateResult } from './engine/index.ts';
import { landingDir, type LocalPaths } from './paths.ts';
import type { LocalSecrets } from './secrets.ts';
import { DATASET_DIRS, simulate, type SimulateOptions } from './simulate/index.ts';

export interface LocalTaskContext {
  model: BundleModel;
  db: LocalDatabase;
  paths: LocalPaths;
  secrets: LocalSecrets;
  env: NodeJS.ProcessEnv;
  sink: EventSink;
  /** Pipeline update id per pipeline key, for `show quality`. */
  updates: Map<string, UpdateResult>;
}

const REF = /^\$\{resources\.(\w+)\.([^.}]+)\.id\}$/;

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

function notebookFor(model: BundleModel, path: unknown, task: string): NotebookModel {
  const nb = Object.values(model.notebooks).find((n) => n.path === path);
  if (!nb) throw new UserError(`Task "${task}" runs ${String(path)}, which is not a notebook of this bundle.`);
  return nb;
}

async function runPipelineTables(ctx: LocalTaskContext, name: string, tables: NotebookModel['tables']): Promise<UpdateResult> {
  let result: UpdateResult;
  try {
    result = await runTables(ctx.db, tables, {
      catalog: ctx.model.catalog,
      landingRoot: ctx.paths.volumes,
      pipelineName: name,
      sink: ctx.sink,
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
  return `${read} rows read, ${written} written, ${quarantined} quarantined`;
}

async function runSummary(ctx: LocalTaskContext, nb: NotebookModel): Promise<string> {
  const sql = await ctx.db.openSqlClient();
  try {
    const metrics = await computeSalesMetrics(sql, ctx.model.catalog);
    const keyRef = nb.secrets['openai_api_key'];
    const apiKey = keyRef ? ctx.secrets.get(keyRef.scope, keyRef.key) : undefined;
    const model = nb.widgets['openai_model'];
    const row = await summarize(metrics, {
      ...(apiKey ? { apiKey } : {}),
      ...(model && !model.startsWith('${') ? { model } : {}),
      env: ctx.env,
      // The run prints the newest summary with the results; the text need not show twice.
      events: (e) => (e.code === 'summary.text' ? undefined : ctx.sink(e)),
    });
    await writeSummaryRow(sql, ctx.model.catalog, row);
    return `summary by ${row.model}`;
  } finally {
    await sql.close();
  }
}

async function runDashboard(ctx: LocalTaskContext, key: string): Promise<string> {
  const dashboard = ctx.model.resources.dashboards[key];
  if (!dashboard) throw new UserError(`Dashboard "${key}" is not part of this bundle.`);
  const sql = await ctx.db.openSqlClient();
  try {
    const data = await queryDashboardData(sql, dashboard, { catalog: ctx.model.catalog });
    const latest = data['latest_summary']?.[0];
    const summary = latest ? { text: String(latest['summary_text'] ?? ''), model: String(latest['model'] ?? '') } : undefined;
    const html = renderDashboardHtml(dashboard, data, summary, { events: ctx.sink });
    await mkdir(ctx.paths.dashboards, { recursive: true });
    const file = join(ctx.paths.dashboards, `${key}.html`);
    await writeFile(file, html);
    ctx.sink({ code: 'artifact.written', level: 'info', message: `Dashboard written to ${file}`, data: { kind: 'dashboard', path: file } });
    return file;
  } finally {
    await sql.close();
  }
}

/** Simulates data when the landing zone has no files yet, so a first run has something to process. */
export async function simulateIfEmpty(ctx: LocalTaskContext, options: SimulateOptions = {}): Promise<boolean> {
  // Only bundles that carry the data simulator (a notebook whose local step is `simulate`) get simulated data.
  if (!Object.values(ctx.model.notebooks).some((nb) => nb.local_step === 'simulate')) return false;
  const landing = landingDir(ctx.paths, ctx.model.catalog);
  const dir = join(landing, DATASET_DIRS.sales_batch);
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length > 0) return false;
  ctx.sink({ code: 'log', level: 'info', message: `Landing zone is empty: simulating data into ${landing}`, data: {} });
  await simulate(landing, { stream: { intervalSec: 0, batches: 3 }, ...options }, { sink: ctx.sink });
  return true;
}

export function localTaskExecutor(ctx: LocalTaskContext) {
  return async (task: TaskSettings): Promise<string> => {
    const key = task.task_key;
    if (task['pipeline_task']) {
      const pipelineKey = referencedKey((task['pipeline_task'] as { pipeline_id: string }).pipeline_id, 'pipelines', key);
      const pipeline = ctx.model.resources.pipelines[pipelineKey];
      if (!pipeline) throw new UserError(`Task "${key}" refers to pipeline "${pipelineKey}", which is not in the bundle.`);
      return describeUpdate(await runPipelineTables(ctx, pipeline.settings.name, pipeline.tables));
    }
    if (task['notebook_task']) {
      const nb = notebookFor(ctx.model, (task['notebook_task'] as { notebook_path: string }).notebook_path, key);
      switch (nb.local_step) {
        case 'tables':
        case 'optimize':
          if (nb.tables.length === 0) return 'nothing to do locally';
          return describeUpdate(await runPipelineTables(ctx, key, nb.tables));
        case 'summary':
          return runSummary(ctx, nb);
        case 'simulate':
          await simulate(landingDir(ctx.paths, ctx.model.catalog), {}, { sink: ctx.sink });
          return 'data simulated';
      }
    }
    if (task['dashboard_task']) {
      const dashKey = referencedKey((task['dashboard_task'] as { dashboard_id: string }).dashboard_id, 'dashboards', key);
      return runDashboard(ctx, dashKey);
    }
    throw new UserError(`Task "${key}" has a task type the local target does not run (only pipeline, notebook and dashboard tasks).`);
  };
}
