// What a notebook task that builds tables checked: the generated notebook ends with
// dbutils.notebook.exit({"dbx_ts": {"quality_metrics": [...]}}) (notebooks-src/lib/tables_runtime.py), which
// runs/get-output returns as notebook_output.result. Read back in the same ExpectationMetric shape the local
// engine and the pipeline event log give, so `show quality` and `run` report notebook tables like pipelines.
import { RemoteApiError } from '../errors/index.ts';
import type { DbxEvent, ExpectationMetric } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { toInt64 } from '../workspace/index.ts';

/** Task keys of the job's notebook tasks whose notebook builds tables with expectations. */
export function qualityNotebookTasks(model: BundleModel, jobKey: string): Set<string> {
  const keys = new Set<string>();
  for (const task of model.resources.jobs[jobKey]?.settings.tasks ?? []) {
    const path = (task['notebook_task'] as { notebook_path?: unknown } | undefined)?.notebook_path;
    const nb = Object.values(model.notebooks).find((n) => n.path === path);
    if (nb?.tables.some((t) => t.expectations.length > 0)) keys.add(task.task_key);
  }
  return keys;
}

const ACTIONS = new Set(['warn', 'drop', 'fail']);

/** The metrics in a notebook's exit value, or undefined when it reported none. */
export function parseNotebookQuality(result: string | undefined): ExpectationMetric[] | undefined {
  if (!result) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(result);
  } catch {
    return undefined;
  }
  const list = (parsed as { dbx_ts?: { quality_metrics?: unknown } } | null)?.dbx_ts?.quality_metrics;
  if (!Array.isArray(list)) return undefined;
  return list
    .filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null && ACTIONS.has(String((m as Record<string, unknown>)['action'])))
    .map((m) => ({
      dataset: String(m['dataset']),
      expectation: String(m['expectation']),
      action: m['action'] as ExpectationMetric['action'],
      passed_records: Number(m['passed_records'] ?? 0),
      failed_records: Number(m['failed_records'] ?? 0),
      dropped_records: Number(m['dropped_records'] ?? 0),
    }));
}

/** The metrics a task run reported, read with runs/get-output; undefined when its output has none. */
export async function readNotebookQuality(client: WorkspaceClient, taskRunId: string): Promise<ExpectationMetric[] | undefined> {
  try {
    const output = await client.jobs.getRunOutput({ run_id: toInt64(taskRunId) });
    return parseNotebookQuality(output.notebook_output?.result);
  } catch (error) {
    if (error instanceof RemoteApiError) return undefined;
    throw error;
  }
}

/** The quality.metrics event of a notebook task, as the local engine names it (by task key). */
export function notebookQualityEvent(taskKey: string, runId: string, metrics: ExpectationMetric[]): DbxEvent {
  const failed = metrics.reduce((n, m) => n + m.failed_records, 0);
  return {
    code: 'quality.metrics',
    level: failed > 0 ? 'warn' : 'info',
    message: `${taskKey}: ${metrics.length} expectations, ${failed} failed records (task run ${runId})`,
    data: { run_id: runId, pipeline: taskKey, metrics },
  };
}
