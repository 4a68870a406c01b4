// Plans the attempts of a simulated job run: the shared scheduler (src/jobs/task-scheduler.ts) decides order,
// run_if, retries and timeouts, driven here with the scenario's scripted durations and outcomes, so the whole
// timeline is fixed at run-now; reads only compare it with the clock (see run-view.ts).
import type { JsonObject } from '../http/json.ts';
import { type SchedulableTask, type Step, TaskScheduler, dependencyKeys, topologicalOrder as orderTasks } from '../../jobs/task-scheduler.ts';
import type { ControlRecord, TaskAttemptRecord, TaskOutputRecord, TaskResult } from '../state.ts';

export interface PlannedOutcome {
  result: 'SUCCESS' | 'FAILED' | 'TIMEDOUT';
  state_message?: string;
  termination_code?: string;
  output: TaskOutputRecord;
  /** A condition task's outcome, which decides its dependents that name one. */
  condition_outcome?: 'true' | 'false';
  /** How long it runs, when not the scenario's duration (a for-each task runs as long as its iterations). */
  runningMs?: number;
  /** What else a control-flow task decided (a for-each task's iterations). */
  control?: ControlRecord;
  /** Its parameters as it ran them (runs/get `resolved_values`). */
  resolved_values?: JsonObject;
}

export interface PlanRequest {
  /** The tasks to run, in job order. */
  tasks: JsonObject[];
  /** Final results of tasks that are not run this time (a repair's untouched tasks). */
  known: Map<string, { result: TaskResult; end_at: number; condition_outcome?: string }>;
  /** When tasks without pending dependencies become ready. */
  startAt: number;
  repairId?: bigint;
  firstAttempt(taskKey: string): number;
  /** How an attempt that starts running at `runningAt` goes. */
  outcome(task: JsonObject, attempt: number, runningAt: number): PlannedOutcome;
  durations(taskKey: string): { pendingMs: number; runningMs: number };
  nextRunId(): bigint;
  /** At most this many attempts at once (a for-each task's concurrency). */
  parallelism?: number;
}

/** Databricks' generic task failure message; the details are in runs/get-output. */
export const TASK_FAILED_MESSAGE = 'Workload failed, see run output for details';

export function taskKeyOf(task: JsonObject): string {
  return String(task['task_key']);
}

export function dependenciesOf(task: JsonObject): string[] {
  return dependencyKeys(task as unknown as SchedulableTask);
}

/** Kahn's algorithm over the planned tasks; dependencies outside the set do not constrain order. */
export function topologicalOrder(tasks: JsonObject[]): JsonObject[] {
  return orderTasks(tasks as unknown as SchedulableTask[]) as unknown as JsonObject[];
}

export function stateMessage(result: TaskResult, message?: string): string {
  if (message !== undefined) return message;
  if (result === 'FAILED') return TASK_FAILED_MESSAGE;
  if (result === 'TIMEDOUT') return 'Task timed out.';
  return '';
}

export function planAttempts(req: PlanRequest): TaskAttemptRecord[] {
  const tasks = req.tasks as unknown as SchedulableTask[];
  const byKey = new Map(req.tasks.map((t) => [taskKeyOf(t), t]));
  const known = new Map([...req.known].map(([k, v]) => [k, v.result]));
  const knownOutcomes = new Map([...req.known].flatMap(([k, v]) => (v.condition_outcome !== undefined ? [[k, v.condition_outcome] as const] : [])));
  const scheduler = new TaskScheduler(tasks, req.startAt, { known, knownOutcomes, firstAttempt: req.firstAttempt, ...(req.parallelism !== undefined ? { parallelism: req.parallelism } : {}) });
  const attempts: TaskAttemptRecord[] = [];
  const open = new Map<string, { record: TaskAttemptRecord; endAt: number; result: PlannedOutcome['result']; condition?: string }>();
  const lastEnd = new Map<string, number>();
  const base = (key: string, attempt: number) => ({
    run_id: req.nextRunId(),
    task_key: key,
    attempt_number: attempt,
    ...(req.repairId !== undefined ? { repair_id: req.repairId } : {}),
  });

  const handle = (steps: Step[]) => {
    for (const step of steps) {
      if (step.kind === 'skip') {
        const at = step.at;
        attempts.push({ ...base(step.key, req.firstAttempt(step.key)), visible_at: req.startAt, ready_at: at, running_at: at, end_at: at, result: step.result, skipped: true, state_message: step.message, output: {} });
      } else if (step.kind === 'start') {
        const { pendingMs, runningMs: scripted } = req.durations(step.key);
        const outcome = req.outcome(byKey.get(step.key)!, step.attempt, step.at + pendingMs);
        const runningMs = outcome.runningMs ?? scripted;
        const record: TaskAttemptRecord = {
          ...base(step.key, step.attempt),
          visible_at: lastEnd.get(step.key) ?? req.startAt,
          ready_at: step.at,
          running_at: step.at + pendingMs,
          end_at: step.at + pendingMs + runningMs,
          result: outcome.result,
          skipped: false,
          state_message: stateMessage(outcome.result, outcome.state_message),
          ...(outcome.termination_code !== undefined ? { termination_code: outcome.termination_code } : {}),
          output: outcome.output,
          ...(outcome.condition_outcome !== undefined && outcome.result === 'SUCCESS' ? { control: { condition_outcome: outcome.condition_outcome } } : {}),
          ...(outcome.control ? { control: outcome.control } : {}),
          ...(outcome.resolved_values ? { resolved_values: outcome.resolved_values } : {}),
        };
        attempts.push(record);
        open.set(`${step.key}#${step.attempt}`, { record, endAt: record.end_at, result: outcome.result, ...(outcome.condition_outcome !== undefined ? { condition: outcome.condition_outcome } : {}) });
      } else {
        const entry = open.get(`${step.key}#${step.attempt}`)!;
        open.delete(`${step.key}#${step.attempt}`);
        const { record } = entry;
        if (step.result !== record.result) {
          // The scheduler cut the attempt short (its timeout).
          record.result = step.result;
          record.state_message = stateMessage(step.result);
        }
        record.end_at = step.at;
        record.running_at = Math.min(record.running_at, step.at);
        lastEnd.set(step.key, step.at);
      }
    }
  };

  handle(scheduler.advance(req.startAt));
  while (!scheduler.done) {
    const due = [...open.entries()].sort((a, b) => a[1].endAt - b[1].endAt)[0];
    const wake = scheduler.wakeAt();
    if (due && (wake === undefined || due[1].endAt <= wake)) {
      const [id, { endAt, result, condition }] = due;
      const [key, attempt] = [id.slice(0, id.lastIndexOf('#')), Number(id.slice(id.lastIndexOf('#') + 1))];
      handle(scheduler.finish(key, attempt, result, endAt, condition));
    } else if (wake !== undefined) {
      handle(scheduler.advance(wake));
    } else {
      throw new Error('simulated run cannot progress');
    }
  }
  return attempts;
}
