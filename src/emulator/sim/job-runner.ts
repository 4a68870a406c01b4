// Starts, repairs and cancels simulated job runs: asks the scenario how each task ends, checks what a
// real run would trip over (a notebook or pipeline that is not there), plans the timeline, and gives
// pipeline tasks a pipeline update with an event log.
import { invalidParameter, invalidState } from '../http/api-error.ts';
import { isJsonObject, type JsonObject } from '../http/json.ts';
import { nextRunId, nextUuid } from '../ids.ts';
import type { Scenario } from '../scenario.ts';
import type { JobRecord, RunRecord, TaskAttemptRecord, TaskResult, WorkspaceState } from '../state.ts';
import { normaliseWorkspacePath } from '../workspace-tree.ts';
import { cancelUpdate, planUpdate, pipelineName, scriptedUpdateResult } from './pipeline-update.ts';
import { type PlannedOutcome, TASK_FAILED_MESSAGE, dependenciesOf, planAttempts, taskKeyOf } from './run-plan.ts';
import type { LiveRuns } from './live-runs.ts';
import { cancelRun, finalAttempts, isRunTerminal, runEndAt, runSummary } from './run-view.ts';
import { onlyItemKey, selectOnly } from '../../model/only-tasks.ts';
import { evaluateCondition } from '../../jobs/condition.ts';
import { keptIterations } from './iterations.ts';
import { planForEach } from './planned-for-each.ts';
import { type ReferenceContext, resolveDeep, resolveReferences } from '../../jobs/dynamic-values.ts';
import { resolvedConditionValues, resolvedNotebookValues } from './resolved-values.ts';
import { childRunFailure, childRunSucceeded } from '../../jobs/run-tasks.ts';

export interface RunnerDeps {
  state: WorkspaceState;
  scenario: Scenario;
  now: number;
  /** Runs execute for real (the workspace was given a task executor) instead of following the scenario. */
  live?: LiveRuns;
}

export interface StartRunRequest {
  /** runs/submit: a one-time run, not subject to a saved job's concurrency limit. */
  oneTime?: boolean;
  jobParameters?: Record<string, string>;
  overridingParameters?: JsonObject;
  idempotencyToken?: string;
  only?: string[];
  /** The run-job task run that starts this run. */
  triggeredBy?: bigint;
  /** A simulated child run: the jobs running above it (a job that runs itself fails instead of recursing). */
  chain?: readonly string[];
}

function objectOrUndefined(value: unknown): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

function notebookExists(state: WorkspaceState, path: string): boolean {
  try {
    const type = state.objects[normaliseWorkspacePath(path)]?.object_type;
    return type === 'NOTEBOOK' || type === 'FILE';
  } catch {
    return false; // not an absolute path
  }
}

/** What a real run would fail on before any code runs. */
function preflightFailure(deps: RunnerDeps, task: JsonObject, userName: string): PlannedOutcome | undefined {
  const notebook = objectOrUndefined(task['notebook_task']);
  if (notebook && notebook['source'] !== 'GIT') {
    const raw = String(notebook['notebook_path'] ?? '');
    if (!notebookExists(deps.state, raw)) {
      const message = `Unable to access the notebook "${raw}" in the workspace. Either it does not exist, or the identity used to run this job, ${userName}, lacks the required permissions.`;
      return { result: 'FAILED', state_message: message, termination_code: 'RESOURCE_NOT_FOUND', output: { error: message } };
    }
  }
  const pipelineTask = objectOrUndefined(task['pipeline_task']);
  if (pipelineTask) {
    const id = String(pipelineTask['pipeline_id'] ?? '');
    if (!deps.state.pipelines[id]) {
      const message = `The pipeline ${id} does not exist.`;
      return { result: 'FAILED', state_message: message, termination_code: 'RESOURCE_NOT_FOUND', output: { error: message } };
    }
  }
  return undefined;
}

function outcomeFor(deps: RunnerDeps, task: JsonObject, attempt: number, userName: string): PlannedOutcome {
  const preflight = preflightFailure(deps, task, userName);
  if (preflight) return preflight;
  const key = taskKeyOf(task);
  const scripted = deps.scenario.outcomeFor(key, attempt);
  let result = scripted.result;
  let error = scripted.error;
  const pipelineTask = objectOrUndefined(task['pipeline_task']);
  if (result === undefined && pipelineTask) {
    // Unless the task itself is scripted, a pipeline task ends the way its pipeline's update does.
    const pipeline = deps.state.pipelines[String(pipelineTask['pipeline_id'])]!;
    const script = deps.scenario.pipelineFor(pipelineName(pipeline), pipeline.pipeline_id);
    const update = scriptedUpdateResult(script.flows ?? [], script.result, script.error);
    result = update.result === 'FAILED' ? 'FAILED' : 'SUCCESS';
    error ??= update.error;
  }
  result ??= 'SUCCESS';
  const output =
    result === 'SUCCESS'
      ? { ...(scripted.notebook_output !== undefined ? { notebook_output: scripted.notebook_output } : {}), ...(scripted.logs !== undefined ? { logs: scripted.logs } : {}) }
      : { error: error ?? scripted.state_message ?? TASK_FAILED_MESSAGE, ...(scripted.error_trace !== undefined ? { error_trace: scripted.error_trace } : {}), ...(scripted.logs !== undefined ? { logs: scripted.logs } : {}) };
  return { result, ...(scripted.state_message !== undefined ? { state_message: scripted.state_message } : {}), output };
}

/** What dynamic value references resolve to in a simulated run: the run's job and parameters. */
function jobReferences(run: RunRecord): ReferenceContext {
  const parameters = Object.fromEntries(run.job_parameters.map((p) => [String(p['name']), String(p['value'] ?? p['default'] ?? '')]));
  return { job: { id: run.job_id.toString(), name: run.run_name, run_id: run.run_id.toString(), parameters } };
}

/**
 * A condition task of a simulated run is evaluated for real (its operands with the run's references resolved),
 * unless the scenario scripted it to fail; an operand that cannot be evaluated fails it, as on Databricks.
 */
function withCondition(outcome: PlannedOutcome, task: JsonObject, run: RunRecord): PlannedOutcome {
  const condition = objectOrUndefined(task['condition_task']);
  if (!condition || outcome.result !== 'SUCCESS') return outcome;
  try {
    const evaluation = evaluateCondition(condition, { ...jobReferences(run), taskKey: taskKeyOf(task) });
    return { ...outcome, condition_outcome: evaluation.outcome, resolved_values: resolvedConditionValues(evaluation.left, evaluation.right) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { result: 'FAILED', state_message: message, output: { error: message } };
  }
}

/** Pipeline tasks that execute get an update spanning the task's RUNNING time. */
function attachPipelineUpdates(deps: RunnerDeps, run: RunRecord, attempts: TaskAttemptRecord[]): void {
  for (const attempt of attempts) {
    if (attempt.skipped || attempt.termination_code === 'RESOURCE_NOT_FOUND') continue;
    const task = run.tasks.find((t) => taskKeyOf(t) === attempt.task_key);
    const pipelineTask = objectOrUndefined(task?.['pipeline_task']);
    const pipeline = pipelineTask ? deps.state.pipelines[String(pipelineTask['pipeline_id'])] : undefined;
    if (!pipelineTask || !pipeline) continue;
    const script = deps.scenario.pipelineFor(pipelineName(pipeline), pipeline.pipeline_id);
    const update = planUpdate({
      pipeline,
      updateId: nextUuid(deps.state),
      cause: 'JOB_TASK',
      fullRefresh: pipelineTask['full_refresh'] === true,
      validateOnly: false,
      refreshSelection: [],
      fullRefreshSelection: [],
      startAt: attempt.running_at,
      endAt: attempt.end_at,
      result: attempt.result === 'SUCCESS' ? 'COMPLETED' : 'FAILED',
      ...(attempt.output.error !== undefined ? { error: attempt.output.error } : {}),
      flows: script.flows ?? [],
      newEventId: () => nextUuid(deps.state),
    });
    pipeline.updates.push(update);
    attempt.pipeline_update = { pipeline_id: pipeline.pipeline_id, update_id: update.update_id };
  }
}

/** The outcome of one attempt of a simulated task: scripted, except what control-flow tasks decide for real. */
function plannedOutcome(deps: RunnerDeps, run: RunRecord, task: JsonObject, attempt: number, runningAt: number, kept: KeptIterations): PlannedOutcome {
  const outcome = withCondition(outcomeFor(deps, task, attempt, run.creator_user_name), task, run);
  // Unless the scenario scripted it to fail, a run-job task runs the other job and a for-each task its iterations.
  if (outcome.result !== 'SUCCESS') return outcome;
  if (objectOrUndefined(task['run_job_task'])) return planRunJob(deps, run, task, runningAt);
  if (!objectOrUndefined(task['for_each_task'])) {
    const resolved = resolvedNotebookValues(resolveDeep(task, { ...jobReferences(run), taskKey: taskKeyOf(task) }));
    return resolved ? { ...outcome, resolved_values: resolved } : outcome;
  }
  return planForEach({
    task,
    runningAt,
    references: jobReferences(run),
    outcome: (nested, a) => outcomeFor(deps, nested, a, run.creator_user_name),
    durations: (key) => deps.scenario.durationsFor(key),
    nextRunId: () => nextRunId(deps.state),
    kept: kept.get(taskKeyOf(task)),
  });
}

/** The jobs whose runs started a simulated run through run-job tasks, outermost first. */
const runChains = new WeakMap<RunRecord, readonly string[]>();

/**
 * A run-job task of a simulated run starts a run of the other job when it starts running (queued or skipped by that
 * job's max_concurrent_runs, as run-now does) and lasts until that run ends, ending as it did.
 */
function planRunJob(deps: RunnerDeps, run: RunRecord, task: JsonObject, runningAt: number): PlannedOutcome {
  const spec = objectOrUndefined(task['run_job_task']) ?? {};
  const refs = { ...jobReferences(run), taskKey: taskKeyOf(task) };
  const jobId = resolveReferences(String(spec['job_id'] ?? ''), refs);
  const failed = (message: string): PlannedOutcome => ({ result: 'FAILED', output: { error: message } });
  const job = /^\d+$/.test(jobId) ? deps.state.jobs[jobId] : undefined;
  if (!job) return failed(`Job ${jobId} does not exist.`);
  const chain = [...(runChains.get(run) ?? []), run.job_id.toString()];
  if (chain.includes(jobId)) return failed(`Task "${taskKeyOf(task)}" runs job ${jobId}, which is already running above it (${[...chain, jobId].join(' → ')}).`);
  const given = objectOrUndefined(spec['job_parameters']);
  const jobParameters = given ? Object.fromEntries(Object.entries(given).map(([k, v]) => [k, resolveReferences(String(v), refs)])) : undefined;
  let child: RunRecord;
  try {
    child = startRun({ ...deps, now: runningAt }, job, { ...(jobParameters ? { jobParameters } : {}), chain }, run.creator_user_name);
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
  const endAt = runEndAt(child);
  const summary = runSummary(child, endAt);
  const result = summary.result_state ?? 'FAILED';
  const control = { child_run_id: child.run_id };
  if (childRunSucceeded(result)) return { result: 'SUCCESS', runningMs: endAt - runningAt, output: {}, control };
  return { ...failed(childRunFailure(child.run_id.toString(), jobId, result, summary.state_message || undefined)), runningMs: endAt - runningAt, control };
}

/** A repair's for-each tasks that failed: what each keeps of its iterations. */
type KeptIterations = ReadonlyMap<string, NonNullable<ReturnType<typeof keptIterations>>>;

function plan(deps: RunnerDeps, run: RunRecord, tasks: JsonObject[], startAt: number, known: Map<string, { result: TaskResult; end_at: number; condition_outcome?: string }>, repairId?: bigint, kept: KeptIterations = new Map()) {
  const nextAttempt = new Map<string, number>();
  for (const a of run.attempts) nextAttempt.set(a.task_key, Math.max(nextAttempt.get(a.task_key) ?? 0, a.attempt_number + 1));
  const attempts = planAttempts({
    tasks,
    known,
    startAt,
    ...(repairId !== undefined ? { repairId } : {}),
    firstAttempt: (key) => nextAttempt.get(key) ?? 0,
    outcome: (task, attempt, runningAt) => plannedOutcome(deps, run, task, attempt, runningAt, kept),
    durations: (key) => deps.scenario.durationsFor(key),
    nextRunId: () => nextRunId(deps.state),
  });
  attachPipelineUpdates(deps, run, attempts);
  // A child run says which task run started it (runs/get: trigger RUN_JOB_TASK).
  for (const a of attempts) {
    const child = a.control?.child_run_id !== undefined ? deps.state.runs[a.control.child_run_id.toString()] : undefined;
    if (child) child.triggered_by_task_run = a.run_id;
  }
  run.attempts.push(...attempts);
  return attempts;
}

function resolveJobParameters(job: JobRecord, given: Record<string, string> = {}): JsonObject[] {
  const defined = Array.isArray(job.settings['parameters']) ? (job.settings['parameters'] as JsonObject[]) : [];
  for (const name of Object.keys(given)) {
    if (!defined.some((p) => p['name'] === name)) throw invalidParameter(`Job parameter ${name} is not defined in the job.`);
  }
  return defined.map((p) => {
    const name = String(p['name']);
    return { name, default: p['default'], value: given[name] ?? p['default'] };
  });
}

/** Runs of the job that have not ended at `now` (running or queued), oldest first, except `self`. */
function activeRuns(state: WorkspaceState, jobId: bigint, now: number, self?: RunRecord): RunRecord[] {
  return Object.values(state.runs)
    .filter((r) => r !== self && r.job_id === jobId && !r.skipped && !isRunTerminal(r, now) && (self === undefined || r.created_at <= self.created_at))
    .sort((a, b) => a.created_at - b.created_at || (a.run_id < b.run_id ? -1 : 1));
}

function maxConcurrentRuns(job: JobRecord): number {
  const value = job.settings['max_concurrent_runs'];
  return typeof value === 'number' ? value : 1;
}

export function queueingEnabled(settings: JsonObject): boolean {
  return isJsonObject(settings['queue']) && settings['queue']['enabled'] === true;
}

/**
 * When a run of the job may start: now while fewer than max_concurrent_runs are active, else when enough of
 * the active ones have ended (timelines are planned, so their ends are known).
 */
function slotFreesAt(state: WorkspaceState, job: JobRecord, now: number, self?: RunRecord): number | undefined {
  const limit = maxConcurrentRuns(job);
  const active = activeRuns(state, job.job_id, now, self);
  if (active.length < limit) return now;
  if (limit === 0) return undefined;
  const ends = active.map(runEndAt).sort((a, b) => a - b);
  return ends[active.length - limit];
}

export function startRun(deps: RunnerDeps, job: JobRecord, request: StartRunRequest, userName: string): RunRecord {
  const tasks = Array.isArray(job.settings['tasks']) ? structuredClone(job.settings['tasks'] as JsonObject[]) : [];
  const only = request.only;
  for (const item of only ?? []) {
    const key = onlyItemKey(item);
    if (!tasks.some((t) => taskKeyOf(t) === key)) throw invalidParameter(`Task ${key} does not exist in job ${job.job_id}.`);
  }
  const chosen = only ? selectOnly(tasks, only) : undefined;
  const slot = request.oneTime ? deps.now : slotFreesAt(deps.state, job, deps.now);
  const run: RunRecord = {
    run_id: nextRunId(deps.state),
    job_id: job.job_id,
    run_name: String(job.settings['name'] ?? 'Untitled'),
    creator_user_name: userName,
    created_at: deps.now,
    started_at: (slot ?? deps.now) + deps.scenario.data.defaults.queuedMs,
    ...(request.oneTime ? { run_type: 'SUBMIT_RUN' as const } : {}),
    tasks,
    job_clusters: Array.isArray(job.settings['job_clusters']) ? structuredClone(job.settings['job_clusters'] as JsonObject[]) : [],
    job_parameters: resolveJobParameters(job, request.jobParameters),
    ...(request.overridingParameters !== undefined ? { overriding_parameters: request.overridingParameters } : {}),
    ...(request.idempotencyToken !== undefined ? { idempotency_token: request.idempotencyToken } : {}),
    ...(request.triggeredBy !== undefined ? { triggered_by_task_run: request.triggeredBy } : {}),
    attempts: [],
    repairs: [],
  };
  const selected = chosen ? tasks.filter((t) => chosen.has(taskKeyOf(t))) : tasks;
  if (request.chain) runChains.set(run, request.chain);
  const limit = maxConcurrentRuns(job);
  if (deps.live) {
    deps.live.admit(run, job, selected, request.oneTime === true);
  } else if (slot === undefined || (slot > deps.now && !queueingEnabled(job.settings))) {
    // Over the limit without a queue: the run is recorded and skipped, as Databricks does.
    run.skipped = { message: `Skipping this run because the limit of ${limit} maximum concurrent runs has been reached.` };
    run.started_at = deps.now;
  } else {
    if (slot > deps.now) run.queue_reason = 'MAX_CONCURRENT_RUNS_REACHED';
    plan(deps, run, selected, run.started_at, new Map());
  }
  deps.state.runs[run.run_id.toString()] = run;
  if (request.idempotencyToken !== undefined) deps.state.idempotency[request.idempotencyToken] = run.run_id;
  return run;
}

export interface RepairRequest {
  rerunTasks?: string[];
  rerunAllFailedTasks?: boolean;
  rerunDependentTasks?: boolean;
  latestRepairId?: bigint;
}

const NOT_SUCCEEDED: ReadonlySet<TaskResult> = new Set(['FAILED', 'TIMEDOUT', 'CANCELED', 'UPSTREAM_FAILED', 'UPSTREAM_CANCELED']);

function withDependents(tasks: JsonObject[], keys: Set<string>): Set<string> {
  const out = new Set(keys);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of tasks) {
      if (!out.has(taskKeyOf(t)) && dependenciesOf(t).some((d) => out.has(d))) {
        out.add(taskKeyOf(t));
        grew = true;
      }
    }
  }
  return out;
}

/** Re-runs chosen tasks of a finished run; the others keep their results as dependencies. */
export function repairRun(deps: RunnerDeps, run: RunRecord, request: RepairRequest): bigint {
  if (!isRunTerminal(run, deps.now)) throw invalidState(`Run ${run.run_id} is still active and cannot be repaired.`);
  const latest = run.repairs[run.repairs.length - 1]?.repair_id;
  if (latest !== undefined && request.latestRepairId !== latest) {
    throw invalidParameter(`latest_repair_id must be ${latest}, the id of the latest repair of run ${run.run_id}.`);
  }
  const finals = finalAttempts(run.attempts);
  let keys = new Set<string>(request.rerunTasks ?? []);
  for (const key of keys) {
    if (!run.tasks.some((t) => taskKeyOf(t) === key)) throw invalidParameter(`Task ${key} does not exist in run ${run.run_id}.`);
  }
  if (request.rerunAllFailedTasks) {
    for (const [key, a] of finals) if (NOT_SUCCEEDED.has(a.result)) keys.add(key);
  }
  if (request.rerunDependentTasks) keys = withDependents(run.tasks, keys);
  if (keys.size === 0) throw invalidParameter('No tasks to repair: name rerun_tasks or set rerun_all_failed_tasks.');
  const repairId = nextRunId(deps.state);
  const known = new Map<string, { result: TaskResult; end_at: number; condition_outcome?: string }>();
  for (const [key, a] of finals) {
    if (!keys.has(key)) known.set(key, { result: a.result, end_at: deps.now, ...(a.control?.condition_outcome !== undefined ? { condition_outcome: a.control.condition_outcome } : {}) });
  }
  delete run.cancelled_at;
  // A for-each task that did not succeed runs again only its iterations that did not succeed.
  const kept = new Map<string, NonNullable<ReturnType<typeof keptIterations>>>();
  for (const key of keys) {
    const final = finals.get(key);
    const iterations = final ? keptIterations(final) : undefined;
    if (iterations) kept.set(key, iterations);
  }
  if (deps.live) {
    const next = new Map<string, number>();
    for (const a of run.attempts) next.set(a.task_key, Math.max(next.get(a.task_key) ?? 0, a.attempt_number + 1));
    const placeholders = deps.live.repair(
      run,
      {
        tasks: run.tasks.filter((t) => keys.has(taskKeyOf(t))),
        known: new Map([...known].map(([k, v]) => [k, v.result])),
        knownOutcomes: new Map([...known].flatMap(([k, v]) => (v.condition_outcome !== undefined ? [[k, v.condition_outcome] as const] : []))),
        firstAttempt: (k) => next.get(k) ?? 0,
        repairId,
        keptIterations: new Map([...kept].map(([k, v]) => [k, v.inputs])),
      },
      deps.now,
    );
    // The repaired task run lists the kept iterations beside the ones it runs.
    for (const p of placeholders) {
      const records = kept.get(p.task_key)?.records;
      if (records && records.length > 0) p.control = { ...p.control, iterations: [...records, ...(p.control?.iterations ?? [])] };
    }
    run.repairs.push({ repair_id: repairId, requested_at: deps.now, task_run_ids: placeholders.map((a) => a.run_id) });
    return repairId;
  }
  const attempts = plan(deps, run, run.tasks.filter((t) => keys.has(taskKeyOf(t))), deps.now, known, repairId, kept);
  run.repairs.push({ repair_id: repairId, requested_at: deps.now, task_run_ids: attempts.map((a) => a.run_id) });
  return repairId;
}

/** Moves a run's whole planned timeline (attempts and their pipeline updates) by `delta` ms. */
function shiftRun(state: WorkspaceState, run: RunRecord, delta: number): void {
  run.started_at += delta;
  for (const a of run.attempts) {
    a.visible_at += delta;
    a.ready_at += delta;
    a.running_at += delta;
    a.end_at += delta;
    const ref = a.pipeline_update;
    const update = ref ? state.pipelines[ref.pipeline_id]?.updates.find((u) => u.update_id === ref.update_id) : undefined;
    if (!update) continue;
    update.created_at += delta;
    for (const phase of update.phases) phase.at += delta;
    for (const event of update.events) event.timestamp += delta;
  }
}

/** After a run ends early (cancelled), queued runs of the same job start as soon as a slot is free. */
function advanceQueue(deps: RunnerDeps, jobId: bigint): void {
  const job = deps.state.jobs[jobId.toString()];
  if (!job) return;
  const queued = Object.values(deps.state.runs)
    .filter((r) => r.job_id === jobId && !r.skipped && r.queue_reason !== undefined && r.started_at > deps.now && r.cancelled_at === undefined)
    .sort((a, b) => a.created_at - b.created_at || (a.run_id < b.run_id ? -1 : 1));
  for (const run of queued) {
    const slot = slotFreesAt(deps.state, job, deps.now, run);
    if (slot !== undefined && slot < run.started_at) shiftRun(deps.state, run, slot - run.started_at);
  }
}

/** Cancels a run (a no-op once it has finished) and the pipeline updates its tasks started. */
export function cancelJobRun(deps: RunnerDeps, run: RunRecord): void {
  if (deps.live?.isActive(run)) return deps.live.cancel(run, deps.now);
  if (isRunTerminal(run, deps.now)) return;
  const before = [...run.attempts];
  const cancelled = new Set(cancelRun(run, deps.now));
  // Cancelling a run-job task cancels the run it started; one it had not started yet never happens.
  for (const attempt of cancelled) {
    const child = attempt.control?.child_run_id !== undefined ? deps.state.runs[attempt.control.child_run_id.toString()] : undefined;
    if (!child) continue;
    if (child.created_at > deps.now) {
      delete deps.state.runs[child.run_id.toString()];
      delete attempt.control?.child_run_id;
    } else {
      cancelJobRun(deps, child);
    }
  }
  for (const attempt of before) {
    const ref = attempt.pipeline_update;
    const pipeline = ref ? deps.state.pipelines[ref.pipeline_id] : undefined;
    const update = pipeline?.updates.find((u) => u.update_id === ref?.update_id);
    if (!pipeline || !update) continue;
    if (update.created_at > deps.now) {
      // The task never reached RUNNING, so its update never started.
      pipeline.updates = pipeline.updates.filter((u) => u !== update);
      delete attempt.pipeline_update;
    } else if (cancelled.has(attempt)) {
      cancelUpdate(update, deps.now, () => nextUuid(deps.state));
    }
  }
  advanceQueue(deps, run.job_id);
}
