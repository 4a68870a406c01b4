// Runs a job's tasks on the local target through the shared scheduler (src/jobs): dependencies, run_if,
// max_retries with min_retry_interval_millis, timeout_seconds and cancellation behave as on Databricks. This file
// only turns the scheduler's steps into task.state events and per-task outcomes.
import type { EventSink } from '../events/types.ts';
import type { TaskResult } from '../jobs/run-if.ts';
import { type TaskTimer, runTasks, systemTimer } from '../jobs/run-tasks.ts';
import { selectTasks } from '../jobs/task-scheduler.ts';
import { UserError } from '../errors/index.ts';
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
}

export type TaskExecutor = (task: TaskSettings, signal: AbortSignal) => Promise<string | void>;

export interface JobRunOptions {
  runId: string;
  tasks: TaskSettings[];
  execute: TaskExecutor;
  sink: EventSink;
  /** Tasks run at once (default 4: the local engine shares this machine's cores). */
  parallelism?: number;
  signal?: AbortSignal;
  /** Run only these tasks (run-now's `only`); their dependencies outside the list are not run. */
  only?: readonly string[];
  timer?: TaskTimer;
  /** The job's timeout_seconds: the run ends TIMEDOUT once it has run this long (0 or absent: no limit). */
  timeoutSeconds?: number;
}

const FAILURES: ReadonlySet<TaskResult> = new Set(['FAILED', 'TIMEDOUT']);

export function isFailure(result: TaskResult): boolean {
  return FAILURES.has(result);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runJobTasks(opts: JobRunOptions): Promise<TaskOutcome[] & { timedOut: boolean }> {
  let tasks: TaskSettings[];
  try {
    tasks = selectTasks(opts.tasks, opts.only);
  } catch (error) {
    throw new UserError(`--only: ${errorText(error)}.`, `Tasks: ${opts.tasks.map((t) => t.task_key).join(', ')}.`);
  }
  const outcomes = new Map<string, TaskOutcome>(tasks.map((t) => [t.task_key, { task_key: t.task_key, result: 'CANCELED', attempts: 0 }]));
  const emit = (o: TaskOutcome, state: string, attempt: number) =>
    opts.sink({
      code: 'task.state',
      level: isFailure(o.result) && state === 'TERMINATED' ? 'error' : 'info',
      message: `${o.task_key}: ${state}${state === 'RUNNING' || state === 'WAITING_FOR_RETRY' ? '' : ` ${o.result}`}`,
      data: {
        run_id: opts.runId,
        task_key: o.task_key,
        state,
        ...(state === 'RUNNING' || state === 'WAITING_FOR_RETRY' ? {} : { result: o.result }),
        ...(o.start_time ? { start_time: o.start_time } : {}),
        ...(o.end_time && state !== 'RUNNING' ? { end_time: o.end_time } : {}),
        attempt,
        ...(o.message || o.error ? { message: o.error ?? o.message } : {}),
      },
    });

  for (const t of tasks) {
    opts.sink({ code: 'task.state', level: 'info', message: `${t.task_key}: PENDING`, data: { run_id: opts.runId, task_key: t.task_key, state: 'PENDING' } });
  }

  let timedOut = false;
  const timer = opts.timer ?? systemTimer;
  const seconds = opts.timeoutSeconds ?? 0;
  await runTasks<TaskSettings, string | void>({
    tasks,
    timer,
    ...(seconds > 0 ? { runDeadline: timer.now() + seconds * 1000 } : {}),
    onRunTimeout: () => {
      timedOut = true;
      opts.sink({ code: 'run.cancelling', level: 'warn', message: `Run ${opts.runId} timed out after ${seconds} s (the job's timeout_seconds): stopping its tasks`, data: { run_id: opts.runId, reason: 'timeout' } });
    },
    parallelism: opts.parallelism ?? 4,
    ...(opts.signal ? { signal: opts.signal } : {}),
    execute: (task, _attempt, signal) => opts.execute(task, signal),
    onStep: (step, outcome) => {
      const o = outcomes.get(step.key)!;
      if (step.kind === 'start') {
        o.start_time ??= step.at;
        o.attempts = step.attempt + 1;
        delete o.error;
        emit(o, 'RUNNING', step.attempt);
      } else if (step.kind === 'skip') {
        o.result = step.result;
        o.end_time = step.at;
        emit(o, 'SKIPPED', 0);
      } else {
        o.result = step.result;
        o.end_time = step.at;
        if (outcome?.ok && outcome.value) o.message = outcome.value;
        if (step.result !== 'SUCCESS' && outcome && !outcome.ok) o.error = errorText(outcome.error);
        emit(o, step.retryAt !== undefined ? 'WAITING_FOR_RETRY' : 'TERMINATED', step.attempt);
        if (step.retryAt !== undefined) {
          const wait = Math.round((step.retryAt - step.at) / 1000);
          opts.sink({
            code: 'log',
            level: 'warn',
            message: `Task ${step.key} ${step.result === 'TIMEDOUT' ? 'timed out' : 'failed'} (attempt ${step.attempt + 1}); retrying ${wait > 0 ? `in ${wait} s` : 'now'} (max_retries, min_retry_interval_millis)`,
            data: { task_key: step.key, attempt: step.attempt, retry_at: step.retryAt },
          });
        }
      }
    },
  });
  const result = tasks.map((t) => outcomes.get(t.task_key)!);
  return Object.assign(result, { timedOut });
}
