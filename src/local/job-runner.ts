// Runs a job's tasks in dependency order on the local target, as the Jobs service does: tasks whose
// dependencies are met start together (bounded parallelism), run_if decides what runs after a failure.
import type { EventSink } from '../events/types.ts';
import type { TaskSettings } from '../model/types.ts';

export type TaskResult = 'SUCCESS' | 'FAILED' | 'UPSTREAM_FAILED' | 'EXCLUDED' | 'CANCELED';

export interface TaskOutcome {
  task_key: string;
  result: TaskResult;
  start_time?: number;
  end_time?: number;
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
  parallelism?: number;
  signal?: AbortSignal;
  clock?: () => number;
}

type RunIf = 'ALL_SUCCESS' | 'AT_LEAST_ONE_SUCCESS' | 'NONE_FAILED' | 'ALL_DONE' | 'AT_LEAST_ONE_FAILED' | 'ALL_FAILED';

/** Whether a task runs, given its dependencies' results (Databricks' run_if semantics). */
export function shouldRun(runIf: RunIf, upstream: TaskResult[]): boolean {
  if (upstream.length === 0) return true;
  const ok = upstream.filter((r) => r === 'SUCCESS').length;
  const failed = upstream.filter((r) => r === 'FAILED' || r === 'UPSTREAM_FAILED').length;
  switch (runIf) {
    case 'ALL_SUCCESS':
      return ok === upstream.length;
    case 'AT_LEAST_ONE_SUCCESS':
      return ok > 0;
    case 'NONE_FAILED':
      return failed === 0;
    case 'ALL_DONE':
      return true;
    case 'AT_LEAST_ONE_FAILED':
      return failed > 0;
    case 'ALL_FAILED':
      return failed === upstream.length;
  }
}

export async function runJobTasks(opts: JobRunOptions): Promise<TaskOutcome[]> {
  const clock = opts.clock ?? Date.now;
  const limit = Math.max(1, opts.parallelism ?? 4);
  const outcomes = new Map<string, TaskOutcome>();
  const pending = new Map(opts.tasks.map((t) => [t.task_key, t]));
  const running = new Map<string, Promise<void>>();
  const emit = (o: TaskOutcome, state: string, attempt = 0) =>
    opts.sink({
      code: 'task.state',
      level: o.result === 'FAILED' ? 'error' : 'info',
      message: `${o.task_key}: ${state}${state === 'RUNNING' ? '' : ` ${o.result}`}`,
      data: {
        run_id: opts.runId,
        task_key: o.task_key,
        state,
        ...(state === 'RUNNING' ? {} : { result: o.result }),
        ...(o.start_time ? { start_time: o.start_time } : {}),
        ...(o.end_time ? { end_time: o.end_time } : {}),
        attempt,
        ...(o.message || o.error ? { message: o.error ?? o.message } : {}),
      },
    });

  for (const t of opts.tasks) {
    opts.sink({
      code: 'task.state',
      level: 'info',
      message: `${t.task_key}: PENDING`,
      data: { run_id: opts.runId, task_key: t.task_key, state: 'PENDING' },
    });
  }

  const start = (task: TaskSettings) => {
    const outcome: TaskOutcome = { task_key: task.task_key, result: 'SUCCESS', start_time: clock() };
    emit(outcome, 'RUNNING');
    const controller = new AbortController();
    const onAbort = () => controller.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const p = opts
      .execute(task, controller.signal)
      .then(
        (message) => {
          if (message) outcome.message = message;
        },
        (error: unknown) => {
          outcome.result = opts.signal?.aborted ? 'CANCELED' : 'FAILED';
          outcome.error = error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        opts.signal?.removeEventListener('abort', onAbort);
        outcome.end_time = clock();
        outcomes.set(task.task_key, outcome);
        running.delete(task.task_key);
        emit(outcome, 'TERMINATED');
      });
    running.set(task.task_key, p);
  };

  while (pending.size > 0 || running.size > 0) {
    let progressed = false;
    for (const [key, task] of [...pending]) {
      const deps = (task.depends_on ?? []).map((d) => d.task_key);
      if (deps.some((d) => !outcomes.has(d))) continue;
      const upstream = deps.map((d) => outcomes.get(d)!.result);
      pending.delete(key);
      progressed = true;
      const runIf = (task['run_if'] as RunIf | undefined) ?? 'ALL_SUCCESS';
      if (opts.signal?.aborted) {
        const o: TaskOutcome = { task_key: key, result: 'CANCELED' };
        outcomes.set(key, o);
        emit(o, 'SKIPPED');
      } else if (!shouldRun(runIf, upstream)) {
        const failedUpstream = upstream.some((r) => r === 'FAILED' || r === 'UPSTREAM_FAILED' || r === 'CANCELED');
        const o: TaskOutcome = { task_key: key, result: failedUpstream ? 'UPSTREAM_FAILED' : 'EXCLUDED' };
        outcomes.set(key, o);
        emit(o, 'SKIPPED');
      } else if (running.size < limit) {
        start(task);
      } else {
        pending.set(key, task);
        progressed = false;
      }
    }
    if (running.size > 0) await Promise.race(running.values());
    else if (!progressed && pending.size > 0) {
      // Dependencies that can never be met (validate reports these); fail rather than hang.
      for (const key of pending.keys()) {
        const o: TaskOutcome = { task_key: key, result: 'FAILED', error: 'unresolvable dependencies' };
        outcomes.set(key, o);
        emit(o, 'SKIPPED');
      }
      pending.clear();
    }
  }
  return opts.tasks.map((t) => outcomes.get(t.task_key)!);
}
