// Runs a job run's tasks for real: the scheduler (task-scheduler.ts) decides, this loop executes its `start`
// steps, reports their ends, sleeps until the next timeout or retry, stops attempts that time out and cancels
// everything when the run's signal aborts. Time comes from an injected timer, so tests move it by hand.
import { type SchedulableTask, type SchedulerOptions, type Step, TaskScheduler } from './task-scheduler.ts';
import type { TaskResult } from './run-if.ts';

export interface TaskTimer {
  now(): number;
  /** Waits `ms`, or less if `signal` aborts first (then it resolves; it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemTimer: TaskTimer = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** How an attempt's work went: its value, or what it threw. */
export type AttemptOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface RunTasksOptions<T extends SchedulableTask, R> extends SchedulerOptions {
  /** The tasks this run executes (already narrowed by `only` or a repair's selection). */
  tasks: readonly T[];
  /** One attempt of a task; `signal` aborts when the attempt times out or the run is cancelled. */
  execute(task: T, attempt: number, signal: AbortSignal): Promise<R>;
  /** Every decision as it is made, with the attempt's outcome on its `end`. */
  onStep?(step: Step, outcome?: AttemptOutcome<R>): void;
  timer?: TaskTimer;
  /** Cancels the run. */
  signal?: AbortSignal;
  /** The run's own timeout (runDeadline) ended it, at `at`. */
  onRunTimeout?(at: number): void;
}

interface Inflight {
  attempt: number;
  controller: AbortController;
  settled: Promise<void>;
}

export async function runTasks<T extends SchedulableTask, R>(opts: RunTasksOptions<T, R>): Promise<Map<string, TaskResult>> {
  const timer = opts.timer ?? systemTimer;
  const byKey = new Map(opts.tasks.map((t) => [t.task_key, t]));
  const scheduler = new TaskScheduler(opts.tasks, timer.now(), opts);
  const inflight = new Map<string, Inflight>();
  const outcomes = new Map<string, AttemptOutcome<R>>();
  const finished: { key: string; attempt: number; at: number }[] = [];
  let wake = new AbortController();
  // Attempts told to stop (timed out, cancelled) that have not returned yet.
  const stragglers: Promise<void>[] = [];

  let reportedTimeout = false;
  const handle = (steps: Step[]) => {
    if (scheduler.timedOut && !reportedTimeout) {
      reportedTimeout = true;
      opts.onRunTimeout?.(steps[0]?.at ?? timer.now());
    }
    for (const step of steps) {
      if (step.kind === 'start') launch(step.key, step.attempt);
      if (step.kind === 'end') {
        const id = `${step.key}#${step.attempt}`;
        // Timed out or cancelled: the scheduler decided, the work is told to stop.
        if (step.result === 'TIMEDOUT' || step.result === 'CANCELED') inflight.get(step.key)?.controller.abort(new Error(`task ${step.result === 'TIMEDOUT' ? 'timed out' : 'cancelled'}`));
        opts.onStep?.(step, outcomes.get(id) ?? { ok: false, error: new Error(step.result === 'TIMEDOUT' ? 'Task timed out.' : 'Run cancelled.') });
        continue;
      }
      opts.onStep?.(step);
    }
  };

  const launch = (key: string, attempt: number) => {
    const controller = new AbortController();
    const task = byKey.get(key)!;
    const previous = inflight.get(key);
    if (previous) stragglers.push(previous.settled);
    const settled = Promise.resolve()
      .then(() => opts.execute(task, attempt, controller.signal))
      .then(
        (value) => outcomes.set(`${key}#${attempt}`, { ok: true, value }),
        (error: unknown) => outcomes.set(`${key}#${attempt}`, { ok: false, error }),
      )
      .then(() => {
        if (inflight.get(key)?.attempt === attempt) inflight.delete(key);
        finished.push({ key, attempt, at: timer.now() });
        wake.abort();
      });
    inflight.set(key, { attempt, controller, settled });
  };

  const cancelled = () => opts.signal?.aborted === true;
  const onCancel = () => wake.abort();
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  try {
    handle(scheduler.advance(timer.now()));
    while (!scheduler.done) {
      if (cancelled()) {
        stragglers.push(...[...inflight.values()].map((f) => f.settled));
        handle(scheduler.cancel(timer.now()));
        break;
      }
      if (finished.length === 0) {
        const next = scheduler.wakeAt();
        await timer.sleep(next === undefined ? 2 ** 31 - 1 : Math.max(0, next - timer.now()), wake.signal);
        wake = new AbortController();
        if (cancelled()) continue;
      }
      for (const f of finished.splice(0)) {
        const outcome = outcomes.get(`${f.key}#${f.attempt}`)!;
        handle(scheduler.finish(f.key, f.attempt, outcome.ok ? 'SUCCESS' : 'FAILED', f.at));
      }
      handle(scheduler.advance(timer.now()));
    }
    // Work that was told to stop (timed out, cancelled) finishes before the run reports its end.
    stragglers.push(...[...inflight.values()].map((f) => f.settled));
    await Promise.allSettled(stragglers);
    return scheduler.results();
  } finally {
    opts.signal?.removeEventListener('abort', onCancel);
  }
}
