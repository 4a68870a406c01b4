// How long each task took in earlier runs of the job (runs/list, runs with their tasks), as a median and a
// robust spread. The predictive poller uses it to know when to look closely.
import type { BaseRun, WorkspaceClient } from '../workspace/index.ts';
import { int64ToString, toInt64 } from '../workspace/index.ts';
import type { RunSnapshot } from './snapshot.ts';

export interface DurationStats {
  /** Median duration, ms, from the task's start_time to its end_time (setup included). */
  median: number;
  /** A robust standard deviation (1.4826 × median absolute deviation), floored for small samples. */
  spread: number;
  /** The same for the logarithm of the durations: their spread as a fraction, for a log-normal model. */
  logSpread: number;
  samples: number;
}

/** task_key → stats of its successful attempts. */
export type TaskHistory = Map<string, DurationStats>;

/** Runs to learn from: recent enough to reflect today's data volumes, enough for a median. */
export const HISTORY_RUNS = 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** 1.4826 × the median absolute deviation: the standard deviation, for normal data, robust to outliers. */
function robustSpread(values: number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m))) * 1.4826;
}

/**
 * Stats from raw durations. With few samples the spread is a guess: at least 10% of the median for one
 * or two runs, at least 3% once there are enough to measure it.
 */
export function durationStats(durations: number[]): DurationStats | undefined {
  if (durations.length === 0) return undefined;
  const m = median(durations);
  const floor = durations.length < 3 ? 0.1 : 0.03;
  const logSpread = Math.max(robustSpread(durations.map((d) => Math.log(Math.max(d, 1)))), floor);
  return { median: m, spread: Math.max(robustSpread(durations), floor * m), logSpread, samples: durations.length };
}

/** Per-task durations of successful attempts in the given runs. */
export function taskHistoryFrom(runs: readonly BaseRun[]): TaskHistory {
  const durations = new Map<string, number[]>();
  for (const run of runs) {
    for (const task of run.tasks ?? []) {
      const start = Number(task.start_time ?? 0);
      const end = Number(task.end_time ?? 0);
      if (task.state?.result_state !== 'SUCCESS' || start <= 0 || end < start) continue;
      const list = durations.get(task.task_key) ?? [];
      list.push(end - start);
      durations.set(task.task_key, list);
    }
  }
  const history: TaskHistory = new Map();
  for (const [key, list] of durations) {
    const stats = durationStats(list);
    if (stats) history.set(key, stats);
  }
  return pooledSpreads(history);
}

/** How many runs' worth of weight the job-wide spread gets against a task's own. */
const POOL_WEIGHT = 5;

/**
 * Ten runs measure a task's spread only roughly (one may look twice as steady as it is), while the tasks of one
 * job share much of what makes them vary (cluster start-up, data volume, a busy workspace). Each task's log
 * spread is pulled toward the median of the job's, with the weight of POOL_WEIGHT runs.
 */
function pooledSpreads(history: TaskHistory): TaskHistory {
  if (history.size < 2) return history;
  const pooled = median([...history.values()].map((s) => s.logSpread));
  for (const stats of history.values()) {
    const n = stats.samples;
    stats.logSpread = Math.sqrt((n * stats.logSpread ** 2 + POOL_WEIGHT * pooled ** 2) / (n + POOL_WEIGHT));
  }
  return history;
}

/**
 * For a run with no history (its job's first run): what the tasks this run already finished took, as the stats
 * of every task still to end. Tasks of one job tend to be of one order of magnitude, but each has its own length,
 * so the spread is at least OWN_RUN_LOG_SPREAD (a factor of about 1.6 either way), measured from as many samples
 * as there are finished tasks. Undefined before any task finished.
 */
export function ownRunStats(snapshot: RunSnapshot): DurationStats | undefined {
  const durations = snapshot.tasks
    .filter((t) => t.state.result === 'SUCCESS' && t.start !== undefined && t.end !== undefined && t.end >= t.start)
    .map((t) => t.end! - t.start!);
  const measured = durationStats(durations);
  return measured && { ...measured, logSpread: Math.max(measured.logSpread, OWN_RUN_LOG_SPREAD) };
}

const OWN_RUN_LOG_SPREAD = 0.5;

/** Reads up to HISTORY_RUNS completed runs of the job (one runs/list page) and returns their task stats. */
export async function readTaskHistory(client: WorkspaceClient, jobId: string, runs = HISTORY_RUNS): Promise<TaskHistory> {
  const recent: BaseRun[] = [];
  for await (const run of client.jobs.listRuns({ job_id: toInt64(jobId), completed_only: true, expand_tasks: true, limit: runs })) {
    recent.push(run);
    // Stop here, so the generator never asks for a second page.
    if (recent.length >= runs) break;
  }
  return taskHistoryFrom(recent);
}

export interface RecentRuns {
  /** Task stats of the job's other recent runs. */
  history: TaskHistory;
  /** The run just started, as runs/list shows it (absent if not listed yet, or its task list was cut at 100). */
  current?: BaseRun;
}

/**
 * One runs/list page of the job's newest runs, read just after run-now: the run just started is among them, so
 * the same request is both the history read and the first poll of that run.
 */
export async function readRecentRuns(client: WorkspaceClient, jobId: string, runId: string, runs = HISTORY_RUNS): Promise<RecentRuns> {
  const others: BaseRun[] = [];
  let current: BaseRun | undefined;
  // One more than the history needs: the newest is (normally) the run just started.
  for await (const run of client.jobs.listRuns({ job_id: toInt64(jobId), expand_tasks: true, limit: runs + 1 })) {
    if (run.run_id !== undefined && int64ToString(run.run_id) === runId) current = run;
    else others.push(run);
    if (others.length + (current ? 1 : 0) >= runs + 1) break;
  }
  return { history: taskHistoryFrom(others), ...(current && !current.has_more ? { current } : {}) };
}
