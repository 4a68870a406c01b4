// A local run's tasks as the CLI shows them: the local workspace schedules them through the shared scheduler
// (src/jobs: dependencies, run_if, retries, timeouts, cancellation, condition, for-each and run-job tasks as on
// Databricks); this file turns the scheduler's steps, which the workspace's run observer passes on
// (workspace-run.ts), into task.state events and per-task outcomes (TaskStateReporter).
import type { EventSink } from '../events/types.ts';
import type { TaskResult } from '../jobs/run-if.ts';
import type { ControlDetail, ForEachStats } from '../jobs/run-tasks.ts';
import type { Step } from '../jobs/task-scheduler.ts';
import type { TaskSettings } from '../model/types.ts';

export type { TaskResult } from '../jobs/run-if.ts';

export interface TaskOutcome {
  task_key: string;
  result: TaskResult;
  start_time?: number;
  end_time?: number;
  /** Attempts made (retries included); 0 when the task was skipped. */
  attempts?: number;
  error?: string;
  /** Extra detail shown in the task table (e.g. rows processed). */
  message?: string;
  /** A condition task's outcome ("true"/"false"). */
  condition_outcome?: string;
  /** A for-each task's iteration counts. */
  for_each_stats?: ForEachStats;
  /** A run-job task's child run. */
  child_run?: { job: string; run_id?: string; result?: string };
}


const FAILURES: ReadonlySet<TaskResult> = new Set(['FAILED', 'TIMEDOUT']);

export function isFailure(result: TaskResult): boolean {
  return FAILURES.has(result);
}

/** What a control-flow task decided, on its outcome and as the task table's detail. */
function recordControl(o: TaskOutcome, control: ControlDetail, task: TaskSettings | undefined): void {
  if (control.kind === 'condition') {
    o.condition_outcome = control.outcome;
    const op = String((task?.['condition_task'] as { op?: unknown } | undefined)?.op ?? '');
    o.message = `${JSON.stringify(control.left)} ${op} ${JSON.stringify(control.right)}: ${control.outcome}`;
  } else if (control.kind === 'for_each') {
    o.for_each_stats = control.stats;
    const s = control.stats;
    o.message = `${s.total_iterations} iterations: ${s.succeeded_iterations} succeeded, ${s.failed_iterations} failed`;
  } else {
    o.child_run = { job: control.job_id, ...(control.run_id !== undefined ? { run_id: control.run_id } : {}), ...(control.result !== undefined ? { result: control.result } : {}) };
    const job = /^\$\{resources\.jobs\.([^.}]+)\.id\}$/.exec(control.job_id)?.[1] ?? control.job_id;
    o.message = `job ${job}, run ${control.run_id ?? '(not started)'}: ${control.result ?? 'not started'}`;
  }
}

/** How an attempt ended, in the reporter's terms: what the task table shows, or why it failed. */
export interface StepDetail {
  /** The task's own summary (e.g. rows processed). */
  message?: string;
  /** Why the attempt failed. */
  error?: string;
  control?: ControlDetail;
}

/**
 * The task states of one run as events (`task.state`, with a `log` line for a retry or a failed iteration) and as
 * per-task outcomes, from the scheduler's steps.
 */
export class TaskStateReporter {
  private readonly outcomes: Map<string, TaskOutcome>;
  private readonly byKey: Map<string, TaskSettings>;

  constructor(
    private readonly runId: string,
    private readonly tasks: readonly TaskSettings[],
    private readonly sink: EventSink,
  ) {
    this.outcomes = new Map(tasks.map((t) => [t.task_key, { task_key: t.task_key, result: 'CANCELED', attempts: 0 }]));
    this.byKey = new Map(tasks.map((t) => [t.task_key, t]));
  }

  /** Every task of the run, waiting. */
  pending(): void {
    for (const t of this.tasks) {
      this.sink({ code: 'task.state', level: 'info', message: `${t.task_key}: PENDING`, data: { run_id: this.runId, task_key: t.task_key, state: 'PENDING' } });
    }
  }

  /** The outcome of each task, in the run's task order. */
  results(): TaskOutcome[] {
    return this.tasks.map((t) => this.outcomes.get(t.task_key)!);
  }

  private emit(o: TaskOutcome, state: string, attempt: number): void {
    this.sink({
      code: 'task.state',
      level: isFailure(o.result) && state === 'TERMINATED' ? 'error' : 'info',
      message: `${o.task_key}: ${state}${state === 'RUNNING' || state === 'WAITING_FOR_RETRY' ? '' : ` ${o.result}`}`,
      data: {
        run_id: this.runId,
        task_key: o.task_key,
        state,
        ...(state === 'RUNNING' || state === 'WAITING_FOR_RETRY' ? {} : { result: o.result }),
        ...(o.start_time ? { start_time: o.start_time } : {}),
        ...(o.end_time && state !== 'RUNNING' ? { end_time: o.end_time } : {}),
        attempt,
        ...(o.message || o.error ? { message: o.error ?? o.message } : {}),
      },
    });
  }

  step(step: Step, detail?: StepDetail): void {
    const o = this.outcomes.get(step.key);
    if (!o) return;
    if (step.kind === 'start') {
      o.start_time ??= step.at;
      o.attempts = step.attempt + 1;
      delete o.error;
      this.emit(o, 'RUNNING', step.attempt);
    } else if (step.kind === 'skip') {
      o.result = step.result;
      o.end_time = step.at;
      this.emit(o, 'SKIPPED', 0);
    } else {
      o.result = step.result;
      o.end_time = step.at;
      if (detail?.message) o.message = detail.message;
      if (detail?.control) recordControl(o, detail.control, this.byKey.get(step.key));
      if (step.result !== 'SUCCESS' && detail?.error !== undefined) o.error = detail.error;
      this.emit(o, step.retryAt !== undefined ? 'WAITING_FOR_RETRY' : 'TERMINATED', step.attempt);
      if (step.retryAt !== undefined) {
        const wait = Math.round((step.retryAt - step.at) / 1000);
        this.sink({
          code: 'log',
          level: 'warn',
          message: `Task ${step.key} ${step.result === 'TIMEDOUT' ? 'timed out' : 'failed'} (attempt ${step.attempt + 1}); retrying ${wait > 0 ? `in ${wait} s` : 'now'} (max_retries, min_retry_interval_millis)`,
          data: { task_key: step.key, attempt: step.attempt, retry_at: step.retryAt },
        });
      }
    }
  }

  /** An iteration's failure is worth a line of its own; the task table shows the for-each task's counts. */
  iteration(parent: string, index: number, step: Step, error: string | undefined): void {
    if (step.kind !== 'end' || step.result === 'SUCCESS') return;
    this.sink({
      code: 'log',
      level: step.retryAt !== undefined ? 'warn' : 'error',
      message: `Task ${parent}: iteration ${index} ${step.retryAt !== undefined ? 'failed, retrying' : 'failed'}: ${error ?? step.result}`,
      data: { run_id: this.runId, task_key: parent, iteration: index, attempt: step.attempt },
    });
  }

  /** The job's timeout_seconds ended the run. */
  runTimedOut(seconds: number): void {
    this.sink({ code: 'run.cancelling', level: 'warn', message: `Run ${this.runId} timed out after ${seconds} s (the job's timeout_seconds): stopping its tasks`, data: { run_id: this.runId, reason: 'timeout' } });
  }
}
