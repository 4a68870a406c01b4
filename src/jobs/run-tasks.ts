// Runs a job run's tasks for real: the scheduler (task-scheduler.ts) decides, this loop executes its `start`
// steps, reports their ends, sleeps until the next timeout or retry, stops attempts that time out and cancels
// everything when the run's signal aborts. Time comes from an injected timer, so tests move it by hand.
// The control-flow task types are carried out here, the same for every caller: a condition task is evaluated
// (condition.ts), a for-each task runs its nested task once per input through this same loop (at most
// `concurrency` at once, each iteration with the nested task's retries and timeout), and a run-job task starts the
// other job's run through the caller's `runJob` and ends as that run does. Every other task goes to `execute`.
import { evaluateCondition } from './condition.ts';
import { type ReferenceContext, resolveDeep, resolveReferences } from './dynamic-values.ts';
import { type SchedulableTask, type SchedulerOptions, type Step, TaskScheduler } from './task-scheduler.ts';
import type { TaskResult } from './run-if.ts';
import { TaskValues, type TaskValueSetter } from './task-values.ts';

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

/** Iteration counts of a for-each task (runs/get's for_each_task.stats); only an iteration's latest attempt counts. */
export interface ForEachStats {
  total_iterations: number;
  scheduled_iterations: number;
  active_iterations: number;
  completed_iterations: number;
  succeeded_iterations: number;
  failed_iterations: number;
  /** The most common errors of failed iterations (at most 3), most frequent first. */
  errors: { message: string; count: number }[];
}

/** What a control-flow task decided, beside its result. */
export type ControlDetail =
  | { kind: 'condition'; outcome: 'true' | 'false'; left: string; right: string }
  | { kind: 'for_each'; stats: ForEachStats }
  | { kind: 'run_job'; job_id: string; run_id?: string; result?: string };

/** How an attempt's work went: its value (none for control-flow tasks), or what it threw; the task values it set. */
export type AttemptOutcome<R> = ({ ok: true; value?: R; control?: ControlDetail } | { ok: false; error: unknown; control?: ControlDetail }) & {
  values?: Record<string, unknown>;
};

/** A control-flow task that failed (a failed iteration, a child run that did not succeed), with what it decided. */
export class ControlTaskError extends Error {
  override readonly name = 'ControlTaskError';
  constructor(
    message: string,
    readonly control: ControlDetail,
  ) {
    super(message);
  }
}

export interface RunJobRequest<T> {
  task: T;
  /** run_job_task.job_id with its references resolved (a deployed job id, or `${resources.jobs.<key>.id}` locally). */
  jobId: string;
  /** run_job_task.job_parameters with their references resolved. */
  jobParameters?: Record<string, string>;
  /** Call once the child run exists, with its id (runs/get shows it while the child runs). */
  started?(runId: string): void;
}

/** How a child run ended: its id and its result state (SUCCESS and SUCCESS_WITH_FAILURES count as success). */
export interface ChildRunResult {
  run_id?: string;
  result: string;
  message?: string;
}

/** One decision about one iteration of a for-each task (its step's key is the iteration's index). */
export interface IterationEvent<R> {
  parent: { key: string; attempt: number };
  index: number;
  input: unknown;
  step: Step;
  outcome?: AttemptOutcome<R>;
  stats: ForEachStats;
}

export interface RunTasksOptions<T extends SchedulableTask, R> extends SchedulerOptions {
  /** The tasks this run executes (already narrowed by `only` or a repair's selection). */
  tasks: readonly T[];
  /**
   * One attempt of a task; `signal` aborts when the attempt times out or the run is cancelled. `values`: where the
   * task's code sets its task values (dbutils.jobs.taskValues.set), read downstream as {{tasks.<key>.values.<name>}}.
   */
  execute(task: T, attempt: number, signal: AbortSignal, values: TaskValueSetter): Promise<R>;
  /** Every decision as it is made, with the attempt's outcome on its `end`. */
  onStep?(step: Step, outcome?: AttemptOutcome<R>): void;
  timer?: TaskTimer;
  /** Cancels the run. */
  signal?: AbortSignal;
  /** The run's own timeout (runDeadline) ended it, at `at`. */
  onRunTimeout?(at: number): void;
  /** What dynamic value references in condition operands, for-each inputs and run-job parameters resolve to. */
  references?: ReferenceContext;
  /** Starts a run of another job for a run_job_task and resolves when it ends (cancelled when `signal` aborts). */
  runJob?(request: RunJobRequest<T>, signal: AbortSignal): Promise<ChildRunResult>;
  /** Every decision about a for-each task's iterations, with the stats after it. */
  onIteration?(event: IterationEvent<R>): void;
  /**
   * A repair of a for-each task that failed: its iterations that succeeded, by index with their input. They keep
   * their result and are not run again, as long as the task's inputs still give the same input at that index.
   */
  keptIterations?(taskKey: string): ReadonlyMap<number, unknown> | undefined;
}

const CHILD_SUCCESS: ReadonlySet<string> = new Set(['SUCCESS', 'SUCCESS_WITH_FAILURES']);

/** Whether a run-job task whose child run ended `result` succeeds. */
export function childRunSucceeded(result: string): boolean {
  return CHILD_SUCCESS.has(result);
}

/** How a run-job task whose child run did not succeed fails. */
export function childRunFailure(runId: string | undefined, jobId: string, result: string, message?: string): string {
  return `The run${runId !== undefined ? ` ${runId}` : ''} of job ${jobId} ended ${result}${message ? `: ${message.replace(/\.$/, '')}` : ''}.`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The keys a for-each iteration does not keep from the nested task (it is not part of the job's graph). */
export function iterationOf<T extends SchedulableTask>(nested: T, index: number): T {
  const { depends_on: _deps, run_if: _runIf, ...rest } = nested as T & { depends_on?: unknown; run_if?: unknown };
  return { ...rest, task_key: String(index) } as unknown as T;
}

/** A for-each task's `inputs` (references already resolved): a JSON array, or an error saying what it got. */
export function forEachInputs(raw: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`for_each_task.inputs must be a JSON array, got ${JSON.stringify(raw.length > 200 ? `${raw.slice(0, 200)}…` : raw)}.`);
  }
  if (!Array.isArray(parsed)) throw new Error(`for_each_task.inputs must be a JSON array, got ${JSON.stringify(raw)}.`);
  return parsed;
}

/** The errors of failed iterations runs/get shows: the 3 most common, most frequent first. */
export function commonErrors(counts: ReadonlyMap<string, number>): ForEachStats['errors'] {
  return [...counts].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([message, count]) => ({ message, count }));
}

/** How a for-each task that had failed iterations fails. */
export function forEachFailure(failed: number, total: number, nestedKey: string, firstError: string | undefined): string {
  return `${failed} of ${total} iterations of ${nestedKey} did not succeed${firstError ? ` (${firstError})` : ''}.`;
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
  // The task values of each task's latest attempt that set any.
  const taskValues = new Map<string, Record<string, unknown>>();
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
    const values = new TaskValues(key);
    const settled = Promise.resolve()
      .then(() => perform(task, attempt, controller.signal, values))
      .then(
        (outcome) => outcomes.set(`${key}#${attempt}`, outcome),
        (error: unknown) => outcomes.set(`${key}#${attempt}`, { ok: false, error, ...(error instanceof ControlTaskError ? { control: error.control } : {}) }),
      )
      .then(() => {
        // The latest attempt's values are the task's: a retry does not inherit what a failed attempt set.
        const set = values.all();
        if (set) {
          taskValues.set(key, set);
          outcomes.get(`${key}#${attempt}`)!.values = set;
        } else {
          taskValues.delete(key);
        }
        if (inflight.get(key)?.attempt === attempt) inflight.delete(key);
        finished.push({ key, attempt, at: timer.now() });
        wake.abort();
      });
    inflight.set(key, { attempt, controller, settled });
  };

  /** References as this run resolves them now: the caller's, with the results of this run's ended tasks. */
  const references = (taskKey: string): ReferenceContext => ({
    ...opts.references,
    taskKey,
    task: (key) => {
      const own = opts.references?.task?.(key);
      const result = scheduler.results().get(key);
      const values = taskValues.get(key);
      if (result === undefined && own === undefined) return undefined;
      return { ...own, ...(result !== undefined ? { result_state: result } : {}), ...(values !== undefined && result !== undefined ? { values } : {}) };
    },
  });

  /** One attempt of a task: control-flow types here, the rest through `execute`. */
  const perform = async (task: T, attempt: number, signal: AbortSignal, values: TaskValueSetter): Promise<AttemptOutcome<R>> => {
    const settings = task as T & { condition_task?: Record<string, unknown>; for_each_task?: Record<string, unknown>; run_job_task?: Record<string, unknown> };
    if (settings.condition_task) {
      const evaluation = evaluateCondition(settings.condition_task, references(task.task_key));
      return { ok: true, control: { kind: 'condition', ...evaluation } };
    }
    if (settings.for_each_task) return runForEach(task, settings.for_each_task, attempt, signal);
    if (settings.run_job_task) return runJob(task, settings.run_job_task, signal);
    // The service resolves references in a task's parameters before its code sees them.
    return { ok: true, value: await opts.execute(resolveDeep(task, references(task.task_key)), attempt, signal, values) };
  };

  const runJob = async (task: T, spec: Record<string, unknown>, signal: AbortSignal): Promise<AttemptOutcome<R>> => {
    const refs = references(task.task_key);
    const jobId = resolveReferences(String(spec['job_id'] ?? ''), refs);
    const given = spec['job_parameters'];
    const jobParameters = given && typeof given === 'object' ? Object.fromEntries(Object.entries(given).map(([k, v]) => [k, resolveReferences(String(v), refs)])) : undefined;
    if (!opts.runJob) throw new Error(`Task "${task.task_key}" runs another job (run_job_task), which this runner cannot start.`);
    const detail: ControlDetail = { kind: 'run_job', job_id: jobId };
    const child = await opts.runJob(
      {
        task,
        jobId,
        ...(jobParameters ? { jobParameters } : {}),
        started: (runId) => {
          detail.run_id = runId;
        },
      },
      signal,
    );
    if (child.run_id !== undefined) detail.run_id = child.run_id;
    detail.result = child.result;
    if (childRunSucceeded(child.result)) return { ok: true, control: detail };
    throw new ControlTaskError(childRunFailure(detail.run_id, jobId, child.result, child.message), detail);
  };

  const runForEach = async (task: T, spec: Record<string, unknown>, attempt: number, signal: AbortSignal): Promise<AttemptOutcome<R>> => {
    const refs = references(task.task_key);
    const inputs = forEachInputs(resolveReferences(String(spec['inputs'] ?? ''), refs, true));
    const nested = spec['task'];
    if (!nested || typeof nested !== 'object') throw new Error(`Task "${task.task_key}": for_each_task.task is missing.`);
    const nestedTask = nested as T;
    if ((nestedTask as { for_each_task?: unknown }).for_each_task) throw new Error(`Task "${task.task_key}": the nested task of a for-each task cannot be another for-each task.`);
    const concurrency = Math.max(1, Math.floor(Number(spec['concurrency'] ?? 1)) || 1);
    // Each iteration is the nested task with {{input}} (and the run's references) filled in.
    const iterations = inputs.map((input, i) => resolveDeep(iterationOf(nestedTask, i), { ...references(String(nestedTask.task_key)), input }));
    const real = (iteration: T) => ({ ...iteration, task_key: nestedTask.task_key }) as T;
    // A repair runs again only the iterations that did not succeed (an input that changed runs again too).
    const kept = new Set<string>();
    for (const [index, input] of opts.keptIterations?.(task.task_key) ?? []) {
      if (index < inputs.length && JSON.stringify(inputs[index]) === JSON.stringify(input)) kept.add(String(index));
    }
    const stats: ForEachStats = {
      total_iterations: inputs.length,
      scheduled_iterations: kept.size,
      active_iterations: 0,
      completed_iterations: kept.size,
      succeeded_iterations: kept.size,
      failed_iterations: 0,
      errors: [],
    };
    // Iterations started at least once, and those not yet at their final end (running or waiting for a retry).
    const scheduled = new Set<string>(kept);
    const active = new Set<string>();
    const errorCounts = new Map<string, number>();
    const results = await runTasks<T, R>({
      tasks: iterations.filter((it) => !kept.has(it.task_key)),
      parallelism: concurrency,
      timer,
      signal,
      ...(opts.references ? { references: opts.references } : {}),
      ...(opts.runJob ? { runJob: (request, s) => opts.runJob!({ ...request, task: real(request.task) }, s) } : {}),
      execute: (iteration, a, s, v) => opts.execute(real(iteration), a, s, v),
      onStep: (step, outcome) => {
        const index = Number(step.key);
        if (step.kind === 'start') {
          scheduled.add(step.key);
          active.add(step.key);
        } else if (step.kind === 'end' && step.retryAt === undefined) {
          active.delete(step.key);
          stats.completed_iterations++;
          if (step.result === 'SUCCESS') stats.succeeded_iterations++;
          else {
            stats.failed_iterations++;
            const message = outcome && !outcome.ok ? errorText(outcome.error) : step.result === 'TIMEDOUT' ? 'Task timed out.' : 'Run cancelled.';
            errorCounts.set(message, (errorCounts.get(message) ?? 0) + 1);
            stats.errors = commonErrors(errorCounts);
          }
        }
        stats.scheduled_iterations = scheduled.size;
        stats.active_iterations = active.size;
        opts.onIteration?.({ parent: { key: task.task_key, attempt }, index, input: inputs[index], step, ...(outcome ? { outcome } : {}), stats: structuredClone(stats) });
      },
    });
    const detail: ControlDetail = { kind: 'for_each', stats: structuredClone(stats) };
    const failed = [...results.values()].filter((r) => r !== 'SUCCESS').length;
    if (failed > 0) throw new ControlTaskError(forEachFailure(failed, inputs.length, String(nestedTask.task_key), stats.errors[0]?.message), detail);
    return { ok: true, control: detail };
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
        // Nothing due (or only a retry waiting for a free slot): sleep until something ends.
        await timer.sleep(next === undefined || !Number.isFinite(next) ? 2 ** 31 - 1 : Math.max(0, next - timer.now()), wake.signal);
        wake = new AbortController();
        if (cancelled()) continue;
      }
      for (const f of finished.splice(0)) {
        const outcome = outcomes.get(`${f.key}#${f.attempt}`)!;
        const condition = outcome.ok && outcome.control?.kind === 'condition' ? outcome.control.outcome : undefined;
        handle(scheduler.finish(f.key, f.attempt, outcome.ok ? 'SUCCESS' : 'FAILED', f.at, condition));
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
