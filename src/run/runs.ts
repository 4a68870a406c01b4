// `dbx-ts runs list|get|cancel|repair`: looking at and acting on runs of the bundle's jobs. A run is named by
// its id, or by a job key (the job's runs, or its latest run).
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import type { BaseRun, WorkspaceClient } from '../workspace/index.ts';
import { int64ToString, toInt64 } from '../workspace/index.ts';
import type { WatchClock } from './clock.ts';
import { requireDeployedJob, type DeployedIdLookup } from './deployed-ids.ts';
import { emitFailures, explainFailures } from './failures.ts';
import { readTaskHistory } from './history.ts';
import { defaultSchedule, followRun, type RemoteRunResult } from './remote-run.ts';
import { snapshotOf, type RunSnapshot } from './snapshot.ts';
import { isTerminal, normalState } from './states.ts';

export type RunRef = { runId: string } | { jobKey: string };

/** A digit string names a run; anything else is a job key of the bundle. */
export function parseRunRef(text: string): RunRef {
  return /^\d+$/.test(text.trim()) ? { runId: text.trim() } : { jobKey: text };
}

export interface RunsContext {
  client: WorkspaceClient;
  model: BundleModel;
  deployed: DeployedIdLookup;
  sink: EventSink;
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString().replace('.000Z', 'Z') : '');

/** `42s`, `3m05s`, `1h02m`: durations in tables. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function runRow(run: BaseRun): unknown[] {
  const state = normalState(run);
  const start = Number(run.start_time ?? 0) || undefined;
  const end = Number(run.end_time ?? 0) || undefined;
  return [
    run.run_id === undefined ? '' : int64ToString(run.run_id),
    state.lifeCycle,
    state.result ?? '',
    iso(start),
    start ? formatDuration((end ?? Date.now()) - start) : '',
    run.trigger ?? '',
    run.run_page_url ?? '',
  ];
}

/** The most recent runs of a job (newest first). */
export async function listJobRuns(ctx: RunsContext, jobKey: string, opts: { limit?: number; activeOnly?: boolean } = {}): Promise<BaseRun[]> {
  const jobId = await requireDeployedJob(ctx.deployed, ctx.model, jobKey);
  const limit = opts.limit ?? 20;
  const runs: BaseRun[] = [];
  for await (const run of ctx.client.jobs.listRuns({ job_id: toInt64(jobId), limit: Math.min(limit, 25), ...(opts.activeOnly ? { active_only: true } : {}) })) {
    runs.push(run);
    if (runs.length >= limit) break;
  }
  ctx.sink({
    code: 'table.preview',
    level: 'result',
    message: runs.length > 0 ? `Runs of ${jobKey} (job ${jobId}), newest first:` : `No runs of ${jobKey} (job ${jobId}) yet.`,
    data: { table: `runs:${jobKey}`, columns: ['run_id', 'state', 'result', 'start', 'duration', 'trigger', 'url'], rows: runs.map(runRow) },
  });
  return runs;
}

/** The run a reference names: the run itself, or the latest run of the job. */
export async function resolveRun(ctx: RunsContext, ref: RunRef): Promise<string> {
  if ('runId' in ref) return ref.runId;
  const jobId = await requireDeployedJob(ctx.deployed, ctx.model, ref.jobKey);
  for await (const run of ctx.client.jobs.listRuns({ job_id: toInt64(jobId), limit: 1 })) {
    if (run.run_id !== undefined) return int64ToString(run.run_id);
  }
  throw new UserError(`Job "${ref.jobKey}" has no runs on target "${ctx.model.target.name}".`, `Start one: dbx-ts run ${ref.jobKey} -t ${ctx.model.target.name}`);
}

/** One run with its tasks, and the errors of failed tasks. */
export async function showRun(ctx: RunsContext, ref: RunRef): Promise<RunSnapshot> {
  const runId = await resolveRun(ctx, ref);
  const snapshot = snapshotOf(await ctx.client.jobs.getRun({ run_id: toInt64(runId) }));
  const { state } = snapshot;
  ctx.sink({
    code: 'log',
    level: 'result',
    message: [
      `Run ${runId}${snapshot.jobId ? ` of job ${snapshot.jobId}` : ''}: ${state.result ? `${state.lifeCycle} ${state.result}` : state.lifeCycle}`,
      ...(snapshot.start ? [`  started ${iso(snapshot.start)}${snapshot.end ? `, took ${formatDuration(snapshot.end - snapshot.start)}` : ''}`] : []),
      ...(state.message ? [`  ${state.message}`] : []),
      ...(snapshot.runPageUrl ? [`  ${snapshot.runPageUrl}`] : []),
    ].join('\n'),
    data: { run_id: runId, state: state.lifeCycle, ...(state.result ? { result: state.result } : {}), ...(snapshot.runPageUrl ? { url: snapshot.runPageUrl } : {}) },
  });
  ctx.sink({
    code: 'table.preview',
    level: 'result',
    message: 'Tasks:',
    data: {
      table: `run:${runId}`,
      columns: ['task', 'state', 'result', 'start', 'duration', 'attempt', 'run_id'],
      rows: snapshot.tasks.map((t) => [t.key, t.state.lifeCycle, t.state.result ?? '', iso(t.start), t.start ? formatDuration((t.end ?? Date.now()) - t.start) : '', t.attempt, t.runId ?? '']),
    },
  });
  emitFailures(await explainFailures(ctx.client, snapshot), ctx.sink);
  return snapshot;
}

/** Cancels the run, or every active run of the job; returns the ids asked to stop. */
export async function cancelRuns(ctx: RunsContext, ref: RunRef): Promise<string[]> {
  let ids: string[];
  if ('runId' in ref) {
    // Cancelling a finished run is accepted by the API and does nothing: say that it had finished.
    const state = normalState(await ctx.client.jobs.getRun({ run_id: toInt64(ref.runId) }));
    if (isTerminal(state)) {
      const how = [state.lifeCycle, state.result].filter(Boolean).join(' ');
      ctx.sink({ code: 'log', level: 'info', message: `Run ${ref.runId} had already finished (${how}); nothing to cancel.`, data: { run_id: ref.runId, state: how } });
      return [];
    }
    ids = [ref.runId];
  } else {
    const jobId = await requireDeployedJob(ctx.deployed, ctx.model, ref.jobKey);
    ids = [];
    for await (const run of ctx.client.jobs.listRuns({ job_id: toInt64(jobId), active_only: true })) {
      if (run.run_id !== undefined) ids.push(int64ToString(run.run_id));
    }
  }
  for (const id of ids) {
    await ctx.client.jobs.cancelRun({ run_id: toInt64(id) });
    ctx.sink({ code: 'log', level: 'info', message: `Asked run ${id} to stop (cancellation is asynchronous: dbx-ts runs get ${id} shows when it has)`, data: { run_id: id } });
  }
  if (ids.length === 0) ctx.sink({ code: 'log', level: 'info', message: 'No active runs to cancel.', data: {} });
  return ids;
}

export interface RepairOptions {
  wait?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  clock?: WatchClock;
}

/**
 * Re-runs the failed tasks of a finished run and every task that depends on them (runs/repair with
 * rerun_all_failed_tasks and rerun_dependent_tasks), then watches the repair like `dbx-ts run`.
 */
export async function repairFailedTasks(ctx: RunsContext, runId: string, opts: RepairOptions = {}): Promise<Omit<RemoteRunResult, 'job_id'> & { repair_id: string }> {
  const before = snapshotOf(await ctx.client.jobs.getRun({ run_id: toInt64(runId) }));
  const latest = before.repairIds.at(-1);
  const response = await ctx.client.jobs.repairRun({
    run_id: toInt64(runId),
    rerun_all_failed_tasks: true,
    rerun_dependent_tasks: true,
    ...(latest !== undefined ? { latest_repair_id: toInt64(latest) } : {}),
  });
  const repairId = response.repair_id === undefined ? '' : int64ToString(response.repair_id);
  ctx.sink({
    code: 'run.started',
    level: 'info',
    message: `Repairing run ${runId} (repair ${repairId}): re-running failed tasks and what depends on them${before.runPageUrl ? `\n  ${before.runPageUrl}` : ''}`,
    data: { run_id: runId, job_key: '', ...(before.runPageUrl ? { url: before.runPageUrl } : {}) },
  });
  if (opts.wait === false) return { run_id: runId, repair_id: repairId, failures: [] };
  const history = before.jobId ? await readTaskHistory(ctx.client, before.jobId).catch(() => new Map()) : new Map();
  const clock = opts.clock;
  const followed = await followRun({
    client: ctx.client,
    model: ctx.model,
    runId,
    sink: ctx.sink,
    schedule: defaultSchedule(clock?.random ?? Math.random)(history),
    ...(clock ? { clock } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(before.runPageUrl ? { url: before.runPageUrl } : {}),
    ...(repairId ? { awaitRepair: repairId } : {}),
  });
  return { ...followed, repair_id: repairId };
}
