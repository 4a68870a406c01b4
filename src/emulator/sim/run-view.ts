// Derives what runs/get shows at a given time from a run's planned timeline: the legacy `state`
// (life_cycle_state, result_state, state_message) and the 2.2 `status` (state, termination_details),
// per task attempt and for the whole run.
import { isJsonObject, type JsonObject } from '../http/json.ts';
import type { IterationRecord, RunRecord, TaskAttemptRecord, TaskResult } from '../state.ts';
import { resolveDeep } from '../../jobs/dynamic-values.ts';
import { iterationStats } from './iterations.ts';
import { dependenciesOf, taskKeyOf } from './run-plan.ts';

export type LifeCycleState =
  | 'QUEUED'
  | 'PENDING'
  | 'RUNNING'
  | 'TERMINATING'
  | 'TERMINATED'
  | 'SKIPPED'
  | 'BLOCKED'
  | 'WAITING_FOR_RETRY';

export type RunResultState = TaskResult | 'SUCCESS_WITH_FAILURES' | 'MAXIMUM_CONCURRENT_RUNS_REACHED';

interface Summary {
  life_cycle_state: LifeCycleState;
  result_state?: RunResultState;
  state_message: string;
  end_at: number;
}

const V2_STATE: Record<LifeCycleState, string> = {
  QUEUED: 'QUEUED',
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  TERMINATING: 'TERMINATING',
  TERMINATED: 'TERMINATED',
  SKIPPED: 'TERMINATED',
  BLOCKED: 'BLOCKED',
  WAITING_FOR_RETRY: 'WAITING',
};

const TERMINATION: Record<RunResultState, { code: string; type: string }> = {
  SUCCESS: { code: 'SUCCESS', type: 'SUCCESS' },
  SUCCESS_WITH_FAILURES: { code: 'SUCCESS_WITH_FAILURES', type: 'SUCCESS' },
  FAILED: { code: 'RUN_EXECUTION_ERROR', type: 'CLIENT_ERROR' },
  TIMEDOUT: { code: 'CANCELED', type: 'CLIENT_ERROR' },
  CANCELED: { code: 'USER_CANCELED', type: 'SUCCESS' },
  UPSTREAM_FAILED: { code: 'SKIPPED', type: 'SUCCESS' },
  UPSTREAM_CANCELED: { code: 'SKIPPED', type: 'SUCCESS' },
  EXCLUDED: { code: 'SKIPPED', type: 'SUCCESS' },
  MAXIMUM_CONCURRENT_RUNS_REACHED: { code: 'MAX_CONCURRENT_RUNS_EXCEEDED', type: 'CLIENT_ERROR' },
};

const FAILURES: ReadonlySet<TaskResult> = new Set(['FAILED', 'TIMEDOUT']);

export function runPageUrl(baseUrl: string, workspaceId: string, jobId: bigint, runId: bigint): string {
  return `${baseUrl}/?o=${workspaceId}#job/${jobId}/run/${runId}`;
}

/** The last attempt of each task (attempts are stored in the order they were planned). */
export function finalAttempts(attempts: TaskAttemptRecord[]): Map<string, TaskAttemptRecord> {
  const finals = new Map<string, TaskAttemptRecord>();
  for (const a of attempts) finals.set(a.task_key, a);
  return finals;
}

export function runEndAt(run: RunRecord): number {
  // An executing run ends when its scheduler says so, whatever its attempts show between two steps.
  if (run.executing) return Number.MAX_SAFE_INTEGER;
  return Math.max(run.started_at, ...run.attempts.map((a) => a.end_at));
}

export function isRunTerminal(run: RunRecord, now: number): boolean {
  return now >= runEndAt(run);
}

function isRetry(run: RunRecord, attempt: TaskAttemptRecord): boolean {
  return run.attempts.some(
    (a) => a !== attempt && a.task_key === attempt.task_key && a.repair_id === attempt.repair_id && a.end_at <= attempt.ready_at && a.attempt_number < attempt.attempt_number,
  );
}

export function attemptLifeCycle(run: RunRecord, attempt: TaskAttemptRecord, now: number): LifeCycleState {
  if (now >= attempt.end_at) return attempt.skipped ? 'SKIPPED' : 'TERMINATED';
  if (now < run.started_at) return 'QUEUED';
  if (attempt.skipped) return 'BLOCKED';
  if (now >= attempt.running_at) return 'RUNNING';
  if (now >= attempt.ready_at) return 'PENDING';
  return isRetry(run, attempt) ? 'WAITING_FOR_RETRY' : 'BLOCKED';
}

/** Tasks no other task of the run depends on; a run whose failures are all upstream of successful leaves "succeeded with failures". */
function leafKeys(tasks: JsonObject[], ran: Set<string>): string[] {
  const ranTasks = tasks.filter((t) => ran.has(taskKeyOf(t)));
  const upstream = new Set(ranTasks.flatMap((t) => dependenciesOf(t)));
  return ranTasks.map(taskKeyOf).filter((k) => !upstream.has(k));
}

function summarise(run: RunRecord, attempts: TaskAttemptRecord[], startAt: number, now: number): Summary {
  if (run.skipped) return { life_cycle_state: 'SKIPPED', result_state: 'MAXIMUM_CONCURRENT_RUNS_REACHED', state_message: run.skipped.message, end_at: run.started_at };
  const endAt = Math.max(startAt, ...attempts.map((a) => a.end_at));
  if (now < endAt) {
    if (now < run.started_at) {
      const message = run.queue_reason === 'MAX_CONCURRENT_RUNS_REACHED' ? 'Queued: the maximum number of concurrent runs of this job is reached.' : 'Waiting in the queue.';
      return { life_cycle_state: 'QUEUED', state_message: message, end_at: endAt };
    }
    const started = attempts.some((a) => !a.skipped && now >= a.running_at);
    return { life_cycle_state: started ? 'RUNNING' : 'PENDING', state_message: '', end_at: endAt };
  }
  if (run.cancelled_at !== undefined && run.cancelled_at <= endAt) {
    return { life_cycle_state: 'TERMINATED', result_state: 'CANCELED', state_message: 'Run cancelled.', end_at: endAt };
  }
  if (run.timed_out_at !== undefined) {
    return { life_cycle_state: 'TERMINATED', result_state: 'TIMEDOUT', state_message: 'Run timed out: it ran longer than the job\'s timeout_seconds.', end_at: endAt };
  }
  const finals = finalAttempts(attempts);
  const failed = [...finals.values()].filter((a) => FAILURES.has(a.result));
  if (failed.length === 0) return { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS', state_message: '', end_at: endAt };
  const leaves = leafKeys(run.tasks, new Set(finals.keys()));
  const leavesFine = leaves.every((k) => ['SUCCESS', 'EXCLUDED'].includes(finals.get(k)?.result ?? ''));
  const first = failed[0]!;
  const skippedDownstream = [...finals.values()].some((a) => a.result === 'UPSTREAM_FAILED');
  const message =
    `Task ${first.task_key} failed with message: ${first.state_message}.` +
    (skippedDownstream ? ' This caused all downstream tasks to get skipped.' : '');
  return {
    life_cycle_state: 'TERMINATED',
    result_state: leavesFine ? 'SUCCESS_WITH_FAILURES' : 'FAILED',
    state_message: message,
    end_at: endAt,
  };
}

function stateAndStatus(life: LifeCycleState, result: RunResultState | undefined, message: string, code?: string, queueCode = 'ACTIVE_RUNS_LIMIT_REACHED'): JsonObject {
  const state: JsonObject = { life_cycle_state: life, state_message: message, user_cancelled_or_timedout: result === 'CANCELED' || result === 'TIMEDOUT' };
  const status: JsonObject = { state: V2_STATE[life] };
  if (result !== undefined && (life === 'TERMINATED' || life === 'SKIPPED')) {
    state['result_state'] = result;
    const termination = TERMINATION[result];
    status['termination_details'] = { code: code ?? termination.code, type: termination.type, message };
  }
  if (life === 'QUEUED') status['queue_details'] = { code: queueCode, message };
  return { state, status };
}

/** What runs/get adds to a control-flow task: a condition's outcome once it ended, a for-each's iteration stats. */
function controlFields(run: RunRecord, settings: JsonObject, attempt: TaskAttemptRecord, terminal: boolean, now: number): JsonObject {
  const control = attempt.control;
  const out: JsonObject = {};
  if (isJsonObject(settings['condition_task']) && terminal && control?.condition_outcome !== undefined) {
    out['condition_task'] = { ...settings['condition_task'], outcome: control.condition_outcome };
  }
  if (isJsonObject(settings['for_each_task']) && control?.for_each_stats) {
    // A planned timeline's counts are those at `now`; an executing run's are written as they change.
    const stats = !run.live && control.iterations ? iterationStats(control.for_each_stats.total_iterations, control.iterations, now) : control.for_each_stats;
    const { errors, ...counts } = stats;
    out['for_each_task'] = {
      ...settings['for_each_task'],
      stats: {
        task_run_stats: counts,
        ...(errors.length > 0 ? { error_message_stats: errors.map((e) => ({ error_message: e.message, count: e.count })) } : {}),
      },
    };
  }
  return out;
}

/** `resolvedValues`: runs/get's include_resolved_values (each task's parameters as it ran them). */
export function renderTask(run: RunRecord, attempt: TaskAttemptRecord, now: number, baseUrl: string, workspaceId: string, resolvedValues = false): JsonObject {
  const life = attemptLifeCycle(run, attempt, now);
  const settings = run.tasks.find((t) => taskKeyOf(t) === attempt.task_key) ?? { task_key: attempt.task_key };
  const terminal = life === 'TERMINATED' || life === 'SKIPPED';
  const code = attempt.result === 'FAILED' ? attempt.termination_code : undefined;
  return {
    ...settings,
    ...controlFields(run, settings, attempt, terminal, now),
    run_id: attempt.run_id,
    attempt_number: attempt.attempt_number,
    ...stateAndStatus(life, terminal ? attempt.result : undefined, terminal ? attempt.state_message : '', code),
    start_time: now >= attempt.ready_at && !attempt.skipped ? attempt.ready_at : 0,
    end_time: terminal ? attempt.end_at : 0,
    setup_duration: now >= attempt.running_at && !attempt.skipped ? attempt.running_at - attempt.ready_at : 0,
    execution_duration: terminal && !attempt.skipped ? attempt.end_at - attempt.running_at : 0,
    cleanup_duration: 0,
    run_page_url: runPageUrl(baseUrl, workspaceId, run.job_id, attempt.run_id),
    ...(resolvedValues && attempt.resolved_values && now >= attempt.running_at ? { resolved_values: attempt.resolved_values } : {}),
  };
}

/** The nested task of a for-each task, as one iteration ran it: {{input}} filled in. */
function iterationSettings(parent: JsonObject, iteration: IterationRecord): JsonObject {
  const spec = isJsonObject(parent['for_each_task']) ? parent['for_each_task'] : {};
  const nested = isJsonObject(spec['task']) ? spec['task'] : { task_key: String(parent['task_key'] ?? '') };
  return resolveDeep(nested, { input: iteration.input });
}

/** One attempt of one iteration of a for-each task, as a RunTask (runs/get `iterations`, get-output `metadata`). */
export function renderIteration(run: RunRecord, parent: TaskAttemptRecord, iteration: IterationRecord, now: number, baseUrl: string, workspaceId: string): JsonObject {
  const settings = run.tasks.find((t) => taskKeyOf(t) === parent.task_key) ?? { task_key: parent.task_key };
  const terminal = now >= iteration.end_at;
  const life: LifeCycleState = terminal ? (iteration.skipped ? 'SKIPPED' : 'TERMINATED') : now >= iteration.running_at ? 'RUNNING' : 'PENDING';
  return {
    ...iterationSettings(settings, iteration),
    run_id: iteration.run_id,
    attempt_number: iteration.attempt_number,
    ...stateAndStatus(life, terminal ? iteration.result : undefined, terminal ? iteration.state_message : ''),
    start_time: iteration.skipped ? 0 : iteration.ready_at,
    end_time: terminal ? iteration.end_at : 0,
    setup_duration: iteration.skipped ? 0 : iteration.running_at - iteration.ready_at,
    execution_duration: terminal && !iteration.skipped ? iteration.end_at - iteration.running_at : 0,
    cleanup_duration: 0,
    run_page_url: runPageUrl(baseUrl, workspaceId, run.job_id, iteration.run_id),
  };
}

/**
 * runs/get with the run id of one task run: a Run of that task alone (its state, times and `tasks` holding it);
 * for a for-each task run, `iterations` lists its iteration runs, every attempt of each, by index.
 */
export function renderTaskRun(run: RunRecord, attempt: TaskAttemptRecord, now: number, baseUrl: string, workspaceId: string, iteration?: IterationRecord): JsonObject {
  const task = iteration ? renderIteration(run, attempt, iteration, now, baseUrl, workspaceId) : renderTask(run, attempt, now, baseUrl, workspaceId);
  const iterations = iteration ? [] : (attempt.control?.iterations ?? []).filter((i) => i.ready_at <= now).sort((a, b) => a.index - b.index || a.attempt_number - b.attempt_number);
  const terminal = Number(task['end_time']) > 0;
  return {
    job_id: run.job_id,
    run_id: task['run_id'],
    number_in_job: task['run_id'],
    original_attempt_run_id: task['run_id'],
    creator_user_name: run.creator_user_name,
    run_name: String(task['task_key']),
    run_type: run.run_type ?? 'JOB_RUN',
    format: 'SINGLE_TASK',
    state: task['state'],
    status: task['status'],
    start_time: task['start_time'],
    end_time: task['end_time'],
    setup_duration: task['setup_duration'],
    execution_duration: task['execution_duration'],
    cleanup_duration: 0,
    ...(terminal ? { run_duration: Number(task['end_time']) - Number(task['start_time']) } : {}),
    run_page_url: task['run_page_url'],
    tasks: [task],
    ...(iterations.length > 0 ? { iterations: iterations.map((i) => renderIteration(run, attempt, i, now, baseUrl, workspaceId)) } : {}),
  };
}

export function visibleAttempts(run: RunRecord, now: number): TaskAttemptRecord[] {
  const order = new Map(run.tasks.map((t, i) => [taskKeyOf(t), i]));
  return run.attempts
    .filter((a) => a.visible_at <= now)
    .map((a, i) => ({ a, i }))
    .sort((x, y) => (order.get(x.a.task_key) ?? 0) - (order.get(y.a.task_key) ?? 0) || x.i - y.i)
    .map((x) => x.a);
}

export function runSummary(run: RunRecord, now: number): Summary {
  return summarise(run, run.attempts, run.started_at, now);
}

function repairHistory(run: RunRecord, now: number): JsonObject[] {
  if (run.repairs.length === 0) return [];
  const segment = (type: string, attempts: TaskAttemptRecord[], start: number, id?: bigint): JsonObject => {
    const s = summarise(run, attempts, start, now);
    const terminal = s.life_cycle_state === 'TERMINATED';
    return {
      type,
      ...(id !== undefined ? { id } : {}),
      start_time: start,
      end_time: terminal ? s.end_at : 0,
      ...stateAndStatus(s.life_cycle_state, s.result_state, s.state_message),
      task_run_ids: attempts.map((a) => a.run_id),
    };
  };
  const original = run.attempts.filter((a) => a.repair_id === undefined);
  return [
    segment('ORIGINAL', original, run.created_at),
    ...run.repairs.map((r) => segment('REPAIR', run.attempts.filter((a) => a.repair_id === r.repair_id), r.requested_at, r.repair_id)),
  ];
}

/** The Run object of runs/get (tasks unpaged; the handler pages them). */
export function renderRun(run: RunRecord, now: number, baseUrl: string, workspaceId: string, options: { resolvedValues?: boolean } = {}): JsonObject {
  const s = runSummary(run, now);
  const terminal = s.life_cycle_state === 'TERMINATED';
  const history = repairHistory(run, now);
  return {
    job_id: run.job_id,
    run_id: run.run_id,
    number_in_job: run.run_id,
    original_attempt_run_id: run.run_id,
    creator_user_name: run.creator_user_name,
    run_name: run.run_name,
    run_type: run.run_type ?? 'JOB_RUN',
    trigger: run.triggered_by_task_run !== undefined ? 'RUN_JOB_TASK' : 'ONE_TIME',
    ...(run.triggered_by_task_run !== undefined ? { trigger_info: { run_id: run.triggered_by_task_run } } : {}),
    format: 'MULTI_TASK',
    ...stateAndStatus(s.life_cycle_state, s.result_state, s.state_message, undefined, run.queue_reason),
    start_time: run.created_at,
    end_time: terminal ? s.end_at : 0,
    setup_duration: 0,
    execution_duration: 0,
    cleanup_duration: 0,
    ...(terminal ? { run_duration: s.end_at - run.created_at } : {}),
    ...(run.started_at > run.created_at ? { queue_duration: Math.min(now, run.started_at) - run.created_at } : {}),
    run_page_url: runPageUrl(baseUrl, workspaceId, run.job_id, run.run_id),
    tasks: visibleAttempts(run, now).map((a) => renderTask(run, a, now, baseUrl, workspaceId, options.resolvedValues === true)),
    ...(run.job_clusters.length > 0 ? { job_clusters: run.job_clusters } : {}),
    ...(run.job_parameters.length > 0 ? { job_parameters: run.job_parameters } : {}),
    ...(run.overriding_parameters !== undefined ? { overriding_parameters: run.overriding_parameters } : {}),
    ...(history.length > 0 ? { repair_history: history } : {}),
  };
}

/** Cancels everything not finished at `at`: started attempts end CANCELED, waiting ones are skipped as CANCELED. */
export function cancelRun(run: RunRecord, at: number): TaskAttemptRecord[] {
  const touched: TaskAttemptRecord[] = [];
  run.cancelled_at = at;
  run.attempts = run.attempts.filter((a) => a.visible_at <= at);
  for (const a of run.attempts) {
    if (a.end_at <= at) continue;
    touched.push(a);
    const executing = !a.skipped && a.ready_at <= at;
    a.end_at = at;
    a.running_at = Math.min(a.running_at, at);
    a.result = 'CANCELED';
    a.skipped = !executing;
    if (!executing) a.ready_at = at;
    a.state_message = 'Run cancelled.';
    // A for-each task's iterations still running end with it.
    for (const i of a.control?.iterations ?? []) {
      if (i.end_at <= at) continue;
      Object.assign(i, { end_at: at, running_at: Math.min(i.running_at, at), result: 'CANCELED', state_message: 'Run cancelled.', output: { error: 'Run cancelled.' } });
    }
  }
  if (run.started_at > at) run.started_at = at;
  return touched;
}
