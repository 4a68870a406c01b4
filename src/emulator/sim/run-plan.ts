// Plans the attempts of a job run's tasks: in dependency order, each task becomes ready when its
// dependencies end, runs (or is skipped by its run_if), and is retried per max_retries. The whole
// timeline is fixed here; reads only compare it with the clock (see run-view.ts).
import type { JsonObject } from '../http/json.ts';
import type { TaskAttemptRecord, TaskOutputRecord, TaskResult } from '../state.ts';

export interface PlannedOutcome {
  result: 'SUCCESS' | 'FAILED' | 'TIMEDOUT';
  state_message?: string;
  termination_code?: string;
  output: TaskOutputRecord;
}

export interface PlanRequest {
  /** The tasks to run, in job order. */
  tasks: JsonObject[];
  /** Final results of tasks that are not run this time (a repair's untouched tasks). */
  known: Map<string, { result: TaskResult; end_at: number }>;
  /** When tasks without pending dependencies become ready. */
  startAt: number;
  repairId?: bigint;
  firstAttempt(taskKey: string): number;
  outcome(task: JsonObject, attempt: number): PlannedOutcome;
  durations(taskKey: string): { pendingMs: number; runningMs: number };
  nextRunId(): bigint;
}

/** Databricks' generic task failure message; the details are in runs/get-output. */
export const TASK_FAILED_MESSAGE = 'Workload failed, see run output for details';
/** max_retries -1 means "retry forever"; a script that always fails must still end. */
const UNLIMITED_RETRIES_CAP = 100;

export function taskKeyOf(task: JsonObject): string {
  return String(task['task_key']);
}

export function dependenciesOf(task: JsonObject): string[] {
  const deps = task['depends_on'];
  if (!Array.isArray(deps)) return [];
  return deps.map((d) => String((d as JsonObject)['task_key']));
}

/** Kahn's algorithm over the planned tasks; dependencies outside the set do not constrain order. */
export function topologicalOrder(tasks: JsonObject[]): JsonObject[] {
  const byKey = new Map(tasks.map((t) => [taskKeyOf(t), t]));
  const indegree = new Map<string, number>();
  for (const t of tasks) {
    indegree.set(taskKeyOf(t), dependenciesOf(t).filter((d) => byKey.has(d)).length);
  }
  const order: JsonObject[] = [];
  const ready = tasks.filter((t) => indegree.get(taskKeyOf(t)) === 0);
  while (ready.length > 0) {
    const task = ready.shift() as JsonObject;
    order.push(task);
    for (const other of tasks) {
      if (!dependenciesOf(other).includes(taskKeyOf(task))) continue;
      const left = (indegree.get(taskKeyOf(other)) ?? 0) - 1;
      indegree.set(taskKeyOf(other), left);
      if (left === 0) ready.push(other);
    }
  }
  if (order.length !== tasks.length) throw new Error('task dependencies form a cycle');
  return order;
}

type RunIfDecision = { run: true } | { run: false; result: TaskResult; message: string };

const FAILED: ReadonlySet<TaskResult> = new Set(['FAILED', 'TIMEDOUT', 'UPSTREAM_FAILED']);
const CANCELLED: ReadonlySet<TaskResult> = new Set(['CANCELED', 'UPSTREAM_CANCELED']);

/** Evaluates a task's run_if against its dependencies' results (Jobs' RunIf semantics). */
export function decideRunIf(runIf: string, deps: TaskResult[]): RunIfDecision {
  if (deps.length === 0) return { run: true };
  const succeeded = deps.filter((r) => r === 'SUCCESS').length;
  const failed = deps.filter((r) => FAILED.has(r)).length;
  const conditions: Record<string, boolean> = {
    ALL_SUCCESS: succeeded === deps.length,
    ALL_DONE: true,
    NONE_FAILED: failed === 0 && succeeded > 0,
    AT_LEAST_ONE_SUCCESS: succeeded > 0,
    ALL_FAILED: failed === deps.length,
    AT_LEAST_ONE_FAILED: failed > 0,
  };
  if (conditions[runIf] ?? conditions['ALL_SUCCESS']) return { run: true };
  if (deps.some((r) => CANCELLED.has(r))) {
    return { run: false, result: 'UPSTREAM_CANCELED', message: 'Upstream task was canceled.' };
  }
  const needsSuccess = !['ALL_FAILED', 'AT_LEAST_ONE_FAILED'].includes(runIf);
  if (failed > 0 && needsSuccess) {
    return { run: false, result: 'UPSTREAM_FAILED', message: 'Upstream task failed.' };
  }
  return { run: false, result: 'EXCLUDED', message: `The run_if condition ${runIf} was not met.` };
}

function retryBudget(task: JsonObject): number {
  const max = Number(task['max_retries'] ?? 0);
  return max < 0 ? UNLIMITED_RETRIES_CAP : max;
}

export function planAttempts(req: PlanRequest): TaskAttemptRecord[] {
  const attempts: TaskAttemptRecord[] = [];
  const finals = new Map(req.known);
  for (const task of topologicalOrder(req.tasks)) {
    const key = taskKeyOf(task);
    const deps = dependenciesOf(task).filter((d) => finals.has(d));
    const readyAt = Math.max(req.startAt, ...deps.map((d) => finals.get(d)?.end_at ?? req.startAt));
    const decision = decideRunIf(String(task['run_if'] ?? 'ALL_SUCCESS'), deps.map((d) => finals.get(d)!.result));
    const first = req.firstAttempt(key);
    if (!decision.run) {
      attempts.push({
        run_id: req.nextRunId(),
        task_key: key,
        attempt_number: first,
        ...(req.repairId !== undefined ? { repair_id: req.repairId } : {}),
        visible_at: req.startAt,
        ready_at: readyAt,
        running_at: readyAt,
        end_at: readyAt,
        result: decision.result,
        skipped: true,
        state_message: decision.message,
        output: {},
      });
      finals.set(key, { result: decision.result, end_at: readyAt });
      continue;
    }
    const planned = planTaskAttempts(req, task, first, readyAt);
    attempts.push(...planned);
    const last = planned[planned.length - 1]!;
    finals.set(key, { result: last.result, end_at: last.end_at });
  }
  return attempts;
}

function planTaskAttempts(req: PlanRequest, task: JsonObject, first: number, readyAt: number): TaskAttemptRecord[] {
  const key = taskKeyOf(task);
  const { pendingMs, runningMs } = req.durations(key);
  const timeoutMs = Number(task['timeout_seconds'] ?? 0) * 1000;
  const retryIntervalMs = Number(task['min_retry_interval_millis'] ?? 0);
  const retryOnTimeout = task['retry_on_timeout'] === true;
  const planned: TaskAttemptRecord[] = [];
  let visibleAt = req.startAt;
  let ready = readyAt;
  for (let n = 0; n <= retryBudget(task); n++) {
    const outcome = req.outcome(task, first + n);
    const runningAt = ready + pendingMs;
    const timedOut = outcome.result === 'TIMEDOUT' || (timeoutMs > 0 && runningMs > timeoutMs);
    const endAt = runningAt + (timedOut && timeoutMs > 0 ? Math.min(timeoutMs, runningMs) : runningMs);
    const result: TaskResult = timedOut ? 'TIMEDOUT' : outcome.result;
    planned.push({
      run_id: req.nextRunId(),
      task_key: key,
      attempt_number: first + n,
      ...(req.repairId !== undefined ? { repair_id: req.repairId } : {}),
      visible_at: visibleAt,
      ready_at: ready,
      running_at: runningAt,
      end_at: endAt,
      result,
      skipped: false,
      state_message: stateMessage(result, outcome),
      ...(outcome.termination_code !== undefined ? { termination_code: outcome.termination_code } : {}),
      output: outcome.output,
    });
    const retryable = result === 'FAILED' || (result === 'TIMEDOUT' && retryOnTimeout);
    if (!retryable) break;
    visibleAt = endAt;
    ready = endAt + retryIntervalMs;
  }
  return planned;
}

function stateMessage(result: TaskResult, outcome: PlannedOutcome): string {
  if (outcome.state_message !== undefined) return outcome.state_message;
  if (result === 'FAILED') return TASK_FAILED_MESSAGE;
  if (result === 'TIMEDOUT') return 'Task timed out.';
  return '';
}
