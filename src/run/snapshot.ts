// A run as the watcher reasons about it: one normalised state for the run and one per task (the latest
// attempt of each task_key), with ids as exact decimal text.
import type { Run } from '../workspace/index.ts';
import { int64ToString } from '../workspace/index.ts';
import { normalState, type NormalState } from './states.ts';

export interface TaskSnapshot {
  key: string;
  /** The task run id (what runs/get-output takes), exact decimal text. */
  runId?: string;
  state: NormalState;
  /** Epoch ms; absent until the task starts (Databricks reports 0). */
  start?: number;
  end?: number;
  /** 0 for the first attempt, as Databricks counts. */
  attempt: number;
  dependsOn: string[];
  /** Set for pipeline tasks. */
  pipelineId?: string;
  runPageUrl?: string;
}

export interface RunSnapshot {
  runId: string;
  jobId?: string;
  state: NormalState;
  start?: number;
  end?: number;
  runPageUrl?: string;
  /** In the order runs/get lists them; one entry per task_key. */
  tasks: TaskSnapshot[];
  /** Repairs of this run, newest last (runs/repair needs the latest id). */
  repairIds: string[];
}

type RunTask = NonNullable<Run['tasks']>[number];

function time(value: number | bigint | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

function taskSnapshot(task: RunTask): TaskSnapshot {
  const start = time(task.start_time);
  const end = time(task.end_time);
  const pipelineId = task.pipeline_task?.pipeline_id;
  return {
    key: task.task_key,
    ...(task.run_id !== undefined ? { runId: int64ToString(task.run_id) } : {}),
    state: normalState(task),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    attempt: Number(task.attempt_number ?? 0),
    dependsOn: (task.depends_on ?? []).map((d) => d.task_key),
    ...(pipelineId ? { pipelineId } : {}),
    ...(task.run_page_url ? { runPageUrl: task.run_page_url } : {}),
  };
}

export function snapshotOf(run: Run): RunSnapshot {
  // Retries and repairs add attempts under the same task_key; the last one listed is the current one.
  const byKey = new Map<string, TaskSnapshot>();
  for (const task of run.tasks ?? []) {
    const snap = taskSnapshot(task);
    const previous = byKey.get(snap.key);
    if (!previous || snap.attempt >= previous.attempt) byKey.set(snap.key, snap);
  }
  const start = time(run.start_time);
  const end = time(run.end_time);
  const repairIds = (run.repair_history ?? []).filter((r) => r.type === 'REPAIR' && r.id !== undefined).map((r) => int64ToString(r.id!));
  return {
    runId: run.run_id === undefined ? '' : int64ToString(run.run_id),
    ...(run.job_id !== undefined ? { jobId: int64ToString(run.job_id) } : {}),
    state: normalState(run),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(run.run_page_url ? { runPageUrl: run.run_page_url } : {}),
    tasks: [...byKey.values()],
    repairIds,
  };
}
