// `dbx-ts run <job> -t <workspace target>`: find the deployed job, start it, watch every task, then report:
// data quality of pipeline tasks, the errors of failed tasks (and what they skipped), and on success the top
// views the bundle defines (if any). Emits the same events as the local run; the CLI renders them.
import { RemoteApiError, RunFailedError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import type { SqlClient } from '../sql/types.ts';
import { toInt64, type Run, type WorkspaceClient } from '../workspace/index.ts';
import { systemClock, type WatchClock } from './clock.ts';
import { deployedIds, requireDeployedJob, type DeployedIdLookup } from './deployed-ids.ts';
import { emitFailures, explainFailures, type TaskFailure } from './failures.ts';
import { readRecentRuns, type RecentRuns, type TaskHistory } from './history.ts';
import { notebookQualityEvent, qualityNotebookTasks, readNotebookQuality } from './notebook-quality.ts';
import { expectationActions, readUpdateQuality } from './pipeline-quality.ts';
import { stagedBackoff } from './closing.ts';
import { predictiveSchedule, withBaselineBudget, type PollSchedule } from './schedule.ts';
import type { RunSnapshot } from './snapshot.ts';
import { cancelActiveRuns, startJobRun } from './start.ts';
import { outcomeOf, type RunOutcome } from './states.ts';
import { workspaceClientFor } from './target-client.ts';
import { targetSchemaNames } from './target-schemas.ts';
import { isTransient } from './transient.ts';
import { showViewsAfterRun, type ResultViews } from './result-views.ts';
import { openTargetSql } from './target-sql.ts';
import { watchRun, type WatchResult } from './watch.ts';

export interface RemoteRunOptions {
  model: BundleModel;
  projectRoot: string;
  jobKey: string;
  env: Record<string, string | undefined>;
  sink: EventSink;
  /** Aborted on Ctrl-C: the remote run is cancelled. */
  signal?: AbortSignal;
  params?: Record<string, string>;
  /** --only: run these tasks of the job only. */
  only?: readonly string[];
  /** false: print the run id and URL and return at once (--no-wait). */
  wait?: boolean;
  /** --timeout: cancel the run after this long. */
  timeoutMs?: number;
  /** --restart: cancel the job's active runs first. */
  restart?: boolean;
  /** Show the bundle's result views after a successful run (default true). */
  showResults?: boolean;
  /** The bundle's result views (none: nothing is shown after the run). */
  resultViews?: ResultViews;
  /** Injected for tests and the benchmark; built from the target by default. */
  client?: WorkspaceClient;
  deployed?: DeployedIdLookup;
  clock?: WatchClock;
  /** How to poll given the job's history (default: predictive within the linear baseline's budget). */
  schedule?: (history: TaskHistory) => PollSchedule;
  /** Opens the SQL client for --show-results (default: the target's warehouse). */
  openSql?: () => Promise<SqlClient>;
}

export interface RemoteRunResult {
  job_id: string;
  run_id: string;
  url?: string;
  /** Absent with --no-wait. */
  outcome?: RunOutcome;
  snapshot?: RunSnapshot;
  failures: TaskFailure[];
  watch?: WatchResult;
}

/** Predictive where earlier runs tell when tasks end, staged by the task graph where not; never above the waiter's budget. */
export function defaultSchedule(random: () => number): (history: TaskHistory) => PollSchedule {
  return (history) => withBaselineBudget(predictiveSchedule(history, stagedBackoff({ random }), { random }));
}

async function recentOrNone(client: WorkspaceClient, jobId: string, runId: string, sink: EventSink): Promise<RecentRuns> {
  try {
    return await readRecentRuns(client, jobId, runId);
  } catch (error) {
    if (!(error instanceof RemoteApiError)) throw error;
    sink({ code: 'log', level: 'debug', message: `No run history (${error.message}); polling by the task graph`, data: {} });
    return { history: new Map() };
  }
}

export async function runRemoteJob(opts: RemoteRunOptions): Promise<RemoteRunResult> {
  const { model, sink, jobKey } = opts;
  const clock = opts.clock ?? systemClock;
  const client = opts.client ?? workspaceClientFor(model, opts.env, { events: sink });
  const deployed = opts.deployed ?? deployedIds({ client, model, repoRoot: opts.projectRoot, env: opts.env });
  const jobId = await requireDeployedJob(deployed, model, jobKey);
  const jobName = model.resources.jobs[jobKey]?.settings.name ?? jobKey;

  if (opts.restart) await cancelActiveRuns(client, jobId, sink, clock);
  if (opts.signal?.aborted) throw new RunFailedError(`Interrupted before ${jobKey} was started`, 'cancelled');
  const { runId } = await startJobRun(client, jobId, opts.params ?? {}, undefined, opts.only);
  // The job's newest runs include the one just started: one request reads the history and polls it.
  const recent: RecentRuns = opts.wait === false ? { history: new Map() } : await recentOrNone(client, jobId, runId, sink);
  // The run has started: from here on a passing failure must not lose it (the watcher polls again).
  const first =
    recent.current ??
    (await client.jobs.getRun({ run_id: toInt64(runId) }).catch((error: unknown) => {
      if (isTransient(error)) return undefined;
      throw error;
    }));
  const url = first?.run_page_url;
  sink({
    code: 'run.started',
    level: 'info',
    message: `Started ${jobName} (${jobKey}) on target ${model.target.name}: run ${runId}${url ? `\n  ${url}` : ''}`,
    data: { run_id: runId, job_key: jobKey, ...(url ? { url } : {}) },
  });
  if (opts.wait === false) return { job_id: jobId, run_id: runId, ...(url ? { url } : {}), failures: [] };

  const followed = await followRun({
    client,
    model,
    jobKey,
    runId,
    sink,
    clock,
    schedule: (opts.schedule ?? defaultSchedule(clock.random))(recent.history),
    ...(first ? { initial: first } : {}),
    // A history read that could not serve as the first poll counts against the poll budget.
    priorRequests: recent.current ? 0 : 1,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(url ? { url } : {}),
  });
  if (opts.showResults ?? true) await showResults(opts, sink);
  return { job_id: jobId, ...followed };
}

export interface FollowOptions {
  client: WorkspaceClient;
  model: BundleModel;
  runId: string;
  sink: EventSink;
  schedule: PollSchedule;
  clock?: WatchClock;
  signal?: AbortSignal;
  timeoutMs?: number;
  initial?: Run;
  priorRequests?: number;
  url?: string;
  /** A repair just requested: the run is not over until runs/get lists this repair. */
  awaitRepair?: string;
  /** The job's key in the bundle, when known: which notebook tasks report table quality. */
  jobKey?: string;
}

/**
 * Watches a started (or repaired) run to its end, then reports: run.finished, data quality of pipeline
 * tasks, failed tasks with their errors. Throws RunFailedError unless the run succeeded.
 */
export async function followRun(opts: FollowOptions): Promise<Omit<RemoteRunResult, 'job_id'>> {
  const { client, sink, runId, url } = opts;
  const watch = await watchRun({
    client,
    runId,
    sink,
    schedule: opts.schedule,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.initial ? { initial: opts.initial } : {}),
    ...(opts.priorRequests !== undefined ? { priorRequests: opts.priorRequests } : {}),
    ...(opts.awaitRepair !== undefined ? { awaitRepair: opts.awaitRepair } : {}),
  });
  const { snapshot } = watch;
  const result = snapshot.state.result ?? snapshot.state.lifeCycle;
  sink({
    code: 'run.finished',
    level: outcomeOf(snapshot.state) === 'success' ? 'info' : 'error',
    message: `Run ${runId} ${result}${snapshot.state.message ? `: ${snapshot.state.message}` : ''}`,
    data: { run_id: runId, result, ...(snapshot.start && snapshot.end ? { duration_ms: snapshot.end - snapshot.start } : {}) },
  });

  await reportQuality(client, opts.model, snapshot, watch.updates, sink, opts.jobKey);
  const failures = await explainFailures(client, snapshot);
  const outcome = watch.cancelledBy === 'timeout' ? 'timedout' : watch.cancelledBy === 'signal' ? 'cancelled' : outcomeOf(snapshot.state);
  emitFailures(failures, sink, outcome === 'success' ? 'warn' : 'error');
  if (outcome !== 'success') throw runFailure(outcome, runId, failures, snapshot, url);
  return { run_id: runId, ...(url ? { url } : {}), outcome, snapshot, failures, watch };
}

function runFailure(outcome: Exclude<RunOutcome, 'success'>, runId: string, failures: TaskFailure[], snapshot: RunSnapshot, url?: string): RunFailedError {
  const first = failures[0];
  const where = url ? ` (${url})` : '';
  if (outcome === 'cancelled') return new RunFailedError(`Run ${runId} was cancelled${where}`, 'cancelled');
  if (outcome === 'timedout') return new RunFailedError(`Run ${runId} timed out${where}`, 'timedout', first?.task_key);
  const what = first ? `task ${first.task_key} failed` : `it ended ${snapshot.state.result ?? snapshot.state.lifeCycle}`;
  return new RunFailedError(`Run ${runId} failed: ${what}${where}`, 'failed', first?.task_key);
}

/** Notebook tasks that report table quality: the job's, or (the job unknown) any job's task of that key. */
function notebookQualityTasks(model: BundleModel, jobKey: string | undefined): Set<string> {
  const jobs = jobKey ? [jobKey] : Object.keys(model.resources.jobs);
  return new Set(jobs.flatMap((key) => [...qualityNotebookTasks(model, key)]));
}

/**
 * quality.metrics for each pipeline task that ran, read from its update's event log, and for each notebook task
 * that builds tables with expectations, read from the notebook's exit value.
 */
async function reportQuality(client: WorkspaceClient, model: BundleModel, snapshot: RunSnapshot, updates: Map<string, string>, sink: EventSink, jobKey?: string): Promise<void> {
  const actionOf = expectationActions(model);
  const notebookTasks = notebookQualityTasks(model, jobKey);
  for (const task of snapshot.tasks) {
    if (notebookTasks.has(task.key) && task.runId && task.state.result === 'SUCCESS') {
      const metrics = await readNotebookQuality(client, task.runId);
      if (metrics) sink(notebookQualityEvent(task.key, task.runId, metrics));
      continue;
    }
    const updateId = task.runId ? updates.get(task.runId) : undefined;
    if (!task.pipelineId || !updateId) continue;
    try {
      const { pipeline, metrics } = await readUpdateQuality(client, task.pipelineId, updateId, task.start ?? snapshot.start ?? 0, actionOf);
      const failed = metrics.reduce((n, m) => n + m.failed_records, 0);
      sink({
        code: 'quality.metrics',
        level: failed > 0 ? 'warn' : 'info',
        message: `${task.key}: ${metrics.length} expectations, ${failed} failed records (update ${updateId})`,
        data: { run_id: updateId, pipeline, metrics },
      });
    } catch (error) {
      if (!(error instanceof RemoteApiError)) throw error;
      sink({ code: 'log', level: 'warn', message: `Could not read the event log of ${task.key}: ${error.message}`, data: {} });
    }
  }
}

/** The bundle's result views; a run that succeeded stays a success if they cannot be read. */
async function showResults(opts: RemoteRunOptions, sink: EventSink): Promise<void> {
  const open = opts.openSql ?? (() => openTargetSql({ model: opts.model, projectRoot: opts.projectRoot, env: opts.env }));
  const views = opts.resultViews ?? [];
  if (views.length === 0) return;
  const schemas = await targetSchemaNames(opts.model, () => (opts.client ?? workspaceClientFor(opts.model, opts.env, { events: sink })).scim.me());
  await showViewsAfterRun(views, open, { model: opts.model, sink, schemas });
}
