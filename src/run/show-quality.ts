// `dbx-ts show quality`: expectation metrics of each pipeline's latest update. Locally they come from the
// DuckDB event log; on a workspace, from the pipeline's event log through the Pipelines API.
import type { EventSink, ExpectationMetric } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import type { SqlClient } from '../sql/types.ts';
import { int64ToString, toInt64, type WorkspaceClient } from '../workspace/index.ts';
import type { DeployedIdLookup } from './deployed-ids.ts';
import { notebookQualityEvent, qualityNotebookTasks, readNotebookQuality } from './notebook-quality.ts';
import { expectationActions, readUpdateQuality } from './pipeline-quality.ts';

/** Pipelines, and notebook tasks that build tables with expectations, as the local engine names them in its event log. */
function localPipelineNames(model: BundleModel): string[] {
  const names = Object.values(model.resources.pipelines).map((p) => p.settings.name);
  for (const job of Object.values(model.resources.jobs)) {
    for (const task of job.settings.tasks) {
      const path = (task['notebook_task'] as { notebook_path?: string } | undefined)?.notebook_path;
      const nb = Object.values(model.notebooks).find((n) => n.path === path);
      if (nb && nb.tables.some((t) => t.expectations.length > 0)) names.push(task.task_key);
    }
  }
  return [...new Set(names)];
}

export async function showLocalQuality(sql: SqlClient, model: BundleModel, sink: EventSink): Promise<ExpectationMetric[]> {
  // Loaded on demand: DuckDB is only needed on the local target.
  const { emitQualityMetrics, readQualityMetrics } = await import('../local/engine/index.ts');
  const all: ExpectationMetric[] = [];
  const names = localPipelineNames(model);
  if (names.length === 0) sink({ code: 'log', level: 'info', message: 'The bundle has no pipeline or notebook tables, so there is no data quality to show.', data: {} });
  for (const name of names) {
    const latest = await readQualityMetrics(sql, model.catalog, { pipelineName: name });
    if (!latest.update_id) {
      sink({ code: 'log', level: 'info', message: `${name}: no updates on target ${model.target.name} yet (run the job first).`, data: { pipeline: name } });
      continue;
    }
    all.push(...(await emitQualityMetrics(sql, model.catalog, name, sink, latest.update_id)));
  }
  return all;
}

/** The latest update of each deployed pipeline of the bundle, and its expectation metrics. */
export async function showRemoteQuality(client: WorkspaceClient, model: BundleModel, deployed: DeployedIdLookup, sink: EventSink): Promise<ExpectationMetric[]> {
  const all: ExpectationMetric[] = [];
  const actionOf = expectationActions(model);
  for (const [key, pipeline] of Object.entries(model.resources.pipelines)) {
    const id = await deployed('pipelines', key);
    if (!id) {
      sink({ code: 'log', level: 'warn', message: `Pipeline ${key} is not deployed to target ${model.target.name}.`, data: {} });
      continue;
    }
    let latest: { update_id?: string; creation_time?: number | bigint } | undefined;
    for await (const update of client.pipelines.listUpdates(id, { max_results: 1 })) {
      latest = update;
      break;
    }
    if (!latest?.update_id) {
      sink({ code: 'log', level: 'info', message: `Pipeline ${pipeline.settings.name} has no updates yet.`, data: {} });
      continue;
    }
    const { metrics } = await readUpdateQuality(client, id, latest.update_id, Number(latest.creation_time ?? 0), actionOf);
    const failed = metrics.reduce((n, m) => n + m.failed_records, 0);
    sink({
      code: 'quality.metrics',
      level: failed > 0 ? 'warn' : 'info',
      message: `${pipeline.settings.name}: ${metrics.length} expectations, ${failed} failed records (update ${latest.update_id})`,
      data: { run_id: latest.update_id, pipeline: pipeline.settings.name, metrics },
    });
    all.push(...metrics);
  }
  for (const jobKey of Object.keys(model.resources.jobs)) all.push(...(await showRemoteNotebookQuality(client, model, jobKey, deployed, sink)));
  return all;
}

/** The quality the job's notebook tasks reported in its latest finished run (their notebooks' exit values). */
async function showRemoteNotebookQuality(client: WorkspaceClient, model: BundleModel, jobKey: string, deployed: DeployedIdLookup, sink: EventSink): Promise<ExpectationMetric[]> {
  const tasks = qualityNotebookTasks(model, jobKey);
  if (tasks.size === 0) return [];
  const jobId = await deployed('jobs', jobKey);
  if (!jobId) {
    sink({ code: 'log', level: 'warn', message: `Job ${jobKey} is not deployed to target ${model.target.name}.`, data: {} });
    return [];
  }
  let latestId: string | undefined;
  for await (const run of client.jobs.listRuns({ job_id: toInt64(jobId), completed_only: true, limit: 1 })) {
    if (run.run_id !== undefined) latestId = int64ToString(run.run_id);
    break;
  }
  if (latestId === undefined) {
    sink({ code: 'log', level: 'info', message: `Job ${jobKey} has no finished runs on target ${model.target.name} yet.`, data: {} });
    return [];
  }
  const run = await client.jobs.getRun({ run_id: toInt64(latestId) });
  const all: ExpectationMetric[] = [];
  for (const task of run.tasks ?? []) {
    if (!task.task_key || !tasks.has(task.task_key) || task.run_id === undefined) continue;
    const runId = int64ToString(task.run_id);
    const metrics = await readNotebookQuality(client, runId);
    if (!metrics) {
      sink({ code: 'log', level: 'info', message: `${task.task_key}: no quality reported in job run ${latestId}.`, data: {} });
      continue;
    }
    sink(notebookQualityEvent(task.task_key, runId, metrics));
    all.push(...metrics);
  }
  return all;
}
