// Job runs (Jobs API 2.2): run-now with idempotency tokens, runs/get (tasks paged by 100),
// runs/get-output for a task run, cancel, cancel-all, list (active_only / completed_only), repair, delete.
import { invalidParameter, invalidState, jobDoesNotExist, runDoesNotExist } from '../http/api-error.ts';
import type { JsonObject } from '../http/json.ts';
import { decodePageToken, pageArrays, paginate } from '../http/paging.ts';
import type { Route } from '../http/router.ts';
import { cancelJobRun, repairRun, startRun } from '../sim/job-runner.ts';
import { attemptLifeCycle, isRunTerminal, renderIteration, renderRun, renderTask, renderTaskRun } from '../sim/run-view.ts';
import type { IterationRecord, RunRecord, TaskAttemptRecord, WorkspaceState } from '../state.ts';
import { type HandlerContext, callerOf, ok, optArray, optBool, optObject, optString, queryBool, queryInt, requireId, requireQuery, toId } from './context.ts';
import { ARRAY_PAGE_SIZE, alsoUnder21, isJobsApi21, requireJob, validateSettings, withServerDefaults } from './jobs.ts';
import { nextJobId } from '../ids.ts';
import { isJsonObject } from '../http/json.ts';

const RUN_ARRAYS = [['tasks'], ['iterations'], ['job_clusters'], ['job_parameters'], ['repair_history']];
const LEGACY_PARAMS = ['notebook_params', 'python_params', 'jar_params', 'spark_submit_params', 'python_named_params', 'sql_params', 'pipeline_params', 'dbt_commands'];
const MAX_IDEMPOTENCY_TOKEN = 64;
const MAX_RUNS_PAGE = 25;

function requireRun(state: WorkspaceState, id: bigint): RunRecord {
  const run = state.runs[id.toString()];
  if (!run) throw runDoesNotExist(id);
  return run;
}

/** A task run by its id: an attempt of a task, or an attempt of one iteration of a for-each task. */
function findTaskRun(state: WorkspaceState, id: bigint): { run: RunRecord; attempt: TaskAttemptRecord; iteration?: IterationRecord } | undefined {
  for (const run of Object.values(state.runs)) {
    const attempt = run.attempts.find((a) => a.run_id === id);
    if (attempt) return { run, attempt };
  }
  for (const run of Object.values(state.runs)) {
    for (const attempt of run.attempts) {
      const iteration = attempt.control?.iterations?.find((i) => i.run_id === id);
      if (iteration) return { run, attempt, iteration };
    }
  }
  return undefined;
}

function deps(ctx: HandlerContext) {
  return { state: ctx.state, scenario: ctx.scenario, now: ctx.now, ...(ctx.live ? { live: ctx.live } : {}) };
}

function stringMap(value: JsonObject | undefined, name: string): Record<string, string> | undefined {
  if (!value) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidParameter(`Invalid value for ${name}.${k}: expected a string`);
    out[k] = v;
  }
  return out;
}

function runNow(ctx: HandlerContext) {
  const { state, body } = ctx;
  const jobId = requireId(body, 'job_id');
  const token = optString(body, 'idempotency_token');
  if (token !== undefined && token.length > MAX_IDEMPOTENCY_TOKEN) {
    throw invalidParameter(`idempotency_token must be at most ${MAX_IDEMPOTENCY_TOKEN} characters.`);
  }
  const job = state.jobs[jobId.toString()];
  if (!job) throw jobDoesNotExist(jobId);
  if (token !== undefined && state.idempotency[token] !== undefined) {
    // Same token, same run: a retried run-now never launches a second run.
    const existing = state.idempotency[token]!;
    if (!state.runs[existing.toString()]) throw invalidState(`The run started with idempotency token ${token} was deleted.`);
    return ok({ run_id: existing, number_in_job: existing });
  }
  const overriding: JsonObject = {};
  for (const name of LEGACY_PARAMS) if (body[name] !== undefined) overriding[name] = body[name];
  const jobParameters = stringMap(optObject(body, 'job_parameters'), 'job_parameters');
  const only = body['only'] === undefined ? undefined : optArray(body, 'only').map(String);
  const run = startRun(
    deps(ctx),
    job,
    {
      ...(jobParameters !== undefined ? { jobParameters } : {}),
      ...(Object.keys(overriding).length > 0 ? { overridingParameters: overriding } : {}),
      ...(token !== undefined ? { idempotencyToken: token } : {}),
      ...(only !== undefined ? { only } : {}),
    },
    callerOf(ctx).userName,
  );
  return ok({ run_id: run.run_id, number_in_job: run.run_id });
}

/**
 * runs/submit: a one-time run of tasks given in the request, not saved as a job. Like run-now it honours an
 * idempotency token; its run has run_type SUBMIT_RUN.
 */
function submit(ctx: HandlerContext) {
  const { state, body } = ctx;
  const token = optString(body, 'idempotency_token');
  if (token !== undefined && token.length > MAX_IDEMPOTENCY_TOKEN) {
    throw invalidParameter(`idempotency_token must be at most ${MAX_IDEMPOTENCY_TOKEN} characters.`);
  }
  if (token !== undefined && state.idempotency[token] !== undefined) {
    const existing = state.idempotency[token]!;
    if (!state.runs[existing.toString()]) throw invalidState(`The run started with idempotency token ${token} was deleted.`);
    return ok({ run_id: existing });
  }
  const tasks = optArray(body, 'tasks');
  if (tasks.length === 0) throw invalidParameter('Missing required field: tasks');
  const settings: JsonObject = { name: optString(body, 'run_name') ?? 'Untitled', tasks };
  for (const key of ['job_clusters', 'environments', 'timeout_seconds', 'git_source']) if (body[key] !== undefined) settings[key] = body[key];
  if (!tasks.every(isJsonObject)) throw invalidParameter('Invalid value for tasks: expected an array of objects');
  validateSettings(settings);
  const caller = callerOf(ctx).userName;
  // A one-time run belongs to no saved job; it still has a job id of its own, as in Databricks.
  const job = { job_id: nextJobId(state), settings: withServerDefaults(settings), created_time: ctx.now, creator_user_name: caller, run_as_user_name: caller };
  const run = startRun(deps(ctx), job, { oneTime: true, ...(token !== undefined ? { idempotencyToken: token } : {}) }, caller);
  return ok({ run_id: run.run_id });
}

function getRun(ctx: HandlerContext) {
  const id = toId(requireQuery(ctx.query, 'run_id'), 'run_id');
  // A task run's id gives that task run (a for-each task's with its iterations).
  const taskRun = ctx.state.runs[id.toString()] ? undefined : findTaskRun(ctx.state, id);
  const rendered = taskRun
    ? renderTaskRun(taskRun.run, taskRun.attempt, ctx.now, ctx.baseUrl, ctx.state.workspaceId, taskRun.iteration)
    : renderRun(requireRun(ctx.state, id), ctx.now, ctx.baseUrl, ctx.state.workspaceId, { resolvedValues: queryBool(ctx.query, 'include_resolved_values') });
  if (isJobsApi21(ctx)) return ok(rendered);
  const paged = pageArrays(rendered, RUN_ARRAYS, decodePageToken(ctx.query.get('page_token')), ARRAY_PAGE_SIZE);
  return ok(paged.next_page_token ? { ...paged.obj, next_page_token: paged.next_page_token } : paged.obj);
}

function getOutput(ctx: HandlerContext) {
  const id = toId(requireQuery(ctx.query, 'run_id'), 'run_id');
  const found = findTaskRun(ctx.state, id);
  if (!found) {
    if (ctx.state.runs[id.toString()]) {
      throw invalidParameter(
        'Retrieving the output of runs with multiple tasks is not supported. Please retrieve the output of each individual task run instead.',
      );
    }
    throw runDoesNotExist(id);
  }
  const { run, attempt, iteration } = found;
  const task = iteration ? renderIteration(run, attempt, iteration, ctx.now, ctx.baseUrl, ctx.state.workspaceId) : renderTask(run, attempt, ctx.now, ctx.baseUrl, ctx.state.workspaceId);
  const metadata = { job_id: run.job_id, ...task };
  const life = iteration ? (ctx.now >= iteration.end_at && !iteration.skipped ? 'TERMINATED' : 'OTHER') : attemptLifeCycle(run, attempt, ctx.now);
  if (life !== 'TERMINATED') return ok({ metadata });
  const { error, error_trace, notebook_output, logs } = iteration ? iteration.output : attempt.output;
  return ok({
    metadata,
    ...(notebook_output !== undefined ? { notebook_output: { result: notebook_output, truncated: false } } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(error_trace !== undefined ? { error_trace } : {}),
    ...(logs !== undefined ? { logs, logs_truncated: false } : {}),
    ...(!iteration && attempt.control?.child_run_id !== undefined ? { run_job_output: { run_id: attempt.control.child_run_id } } : {}),
  });
}

function listRuns(ctx: HandlerContext) {
  const { query, now } = ctx;
  const activeOnly = queryBool(query, 'active_only');
  const completedOnly = queryBool(query, 'completed_only');
  if (activeOnly && completedOnly) throw invalidParameter('active_only and completed_only cannot both be true.');
  const limit = queryInt(query, 'limit', 20);
  if (limit > MAX_RUNS_PAGE) throw invalidParameter(`limit must be at most ${MAX_RUNS_PAGE}.`);
  const jobId = query.get('job_id') === null ? undefined : toId(query.get('job_id'), 'job_id');
  const from = queryInt(query, 'start_time_from', 0);
  const to = queryInt(query, 'start_time_to', Number.MAX_SAFE_INTEGER);
  const runs = Object.values(ctx.state.runs)
    .filter((r) => jobId === undefined || r.job_id === jobId)
    .filter((r) => !activeOnly || !isRunTerminal(r, now))
    .filter((r) => !completedOnly || isRunTerminal(r, now))
    // A simulated run-job task's child run exists from when that task starts running.
    .filter((r) => r.created_at <= now && r.created_at >= from && r.created_at <= to)
    .sort((a, b) => (a.run_id < b.run_id ? 1 : -1));
  const offset = query.has('page_token') ? decodePageToken(query.get('page_token')) : queryInt(query, 'offset', 0);
  const page = paginate(runs, offset, limit === 0 ? MAX_RUNS_PAGE : limit);
  const expand = queryBool(query, 'expand_tasks');
  const rendered = page.items.map((run) => {
    const full = renderRun(run, now, ctx.baseUrl, ctx.state.workspaceId);
    if (!expand) {
      delete full['tasks'];
      return full;
    }
    const paged = pageArrays(full, RUN_ARRAYS, 0, ARRAY_PAGE_SIZE);
    return paged.next_page_token ? { ...paged.obj, has_more: true } : paged.obj;
  });
  return ok({
    ...(rendered.length > 0 ? { runs: rendered } : {}),
    has_more: page.has_more,
    ...(page.next_page_token !== undefined ? { next_page_token: page.next_page_token } : {}),
    ...(page.prev_page_token !== undefined ? { prev_page_token: page.prev_page_token } : {}),
  });
}

function repair(ctx: HandlerContext) {
  const run = requireRun(ctx.state, requireId(ctx.body, 'run_id'));
  const latest = ctx.body['latest_repair_id'];
  const repairId = repairRun(deps(ctx), run, {
    rerunTasks: optArray(ctx.body, 'rerun_tasks').map(String),
    rerunAllFailedTasks: optBool(ctx.body, 'rerun_all_failed_tasks') ?? false,
    rerunDependentTasks: optBool(ctx.body, 'rerun_dependent_tasks') ?? false,
    ...(latest !== undefined && latest !== null ? { latestRepairId: toId(latest, 'latest_repair_id') } : {}),
  });
  return ok({ repair_id: repairId });
}

export const runsRoutes: Route[] = alsoUnder21([
  { method: 'POST', pattern: '/api/2.2/jobs/run-now', body: 'json', handle: runNow },
  { method: 'POST', pattern: '/api/2.2/jobs/runs/submit', body: 'json', handle: submit },
  { method: 'GET', pattern: '/api/2.2/jobs/runs/get', body: 'none', handle: getRun },
  { method: 'GET', pattern: '/api/2.2/jobs/runs/get-output', body: 'none', handle: getOutput },
  { method: 'GET', pattern: '/api/2.2/jobs/runs/list', body: 'none', handle: listRuns },
  { method: 'POST', pattern: '/api/2.2/jobs/runs/repair', body: 'json', handle: repair },
  {
    method: 'POST',
    pattern: '/api/2.2/jobs/runs/cancel',
    body: 'json',
    handle: (ctx) => {
      cancelJobRun(deps(ctx), requireRun(ctx.state, requireId(ctx.body, 'run_id')));
      return ok();
    },
  },
  {
    method: 'POST',
    pattern: '/api/2.2/jobs/runs/cancel-all',
    body: 'json',
    handle: (ctx) => {
      const jobId = ctx.body['job_id'] === undefined ? undefined : requireId(ctx.body, 'job_id');
      if (jobId !== undefined) requireJob(ctx.state, jobId);
      else if (ctx.body['all_queued_runs'] !== true) throw invalidParameter('Either job_id or all_queued_runs must be set.');
      for (const run of Object.values(ctx.state.runs)) {
        if (jobId === undefined ? ctx.now < run.started_at : run.job_id === jobId) cancelJobRun(deps(ctx), run);
      }
      return ok();
    },
  },
  {
    method: 'POST',
    pattern: '/api/2.2/jobs/runs/delete',
    body: 'json',
    handle: (ctx) => {
      const run = requireRun(ctx.state, requireId(ctx.body, 'run_id'));
      if (!isRunTerminal(run, ctx.now)) throw invalidState(`Run ${run.run_id} is active and cannot be deleted.`);
      delete ctx.state.runs[run.run_id.toString()];
      return ok();
    },
  },
]);
