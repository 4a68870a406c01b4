// Decides how the tasks of one job run go, as the Jobs service does: a task is ready when its dependencies are
// done, run_if decides whether it runs or is skipped, a failed attempt is retried per max_retries after
// min_retry_interval_millis, an attempt still running at timeout_seconds ends TIMEDOUT (retried only with
// retry_on_timeout), and a cancelled run ends what is running and skips the rest. The one place these rules live:
// the local runner, the emulator's executed runs and its simulated timelines all drive this machine.
//
// It has no clock and does no I/O: the caller reports what happened and when (`finish`, `advance`, `cancel`)
// and gets back what to do next (`Step`s stamped with their time), so a test drives it with plain numbers.
import { decideRunIf, type TaskResult } from './run-if.ts';

export interface SchedulableTask {
  task_key: string;
  /** `outcome`: on a condition task, the outcome ("true"/"false") this task needs; any other outcome excludes it. */
  depends_on?: readonly { task_key: string; outcome?: unknown }[];
  run_if?: unknown;
  max_retries?: unknown;
  min_retry_interval_millis?: unknown;
  retry_on_timeout?: unknown;
  timeout_seconds?: unknown;
}

/** What the caller must do, or what was decided, at time `at`. */
export type Step =
  /** Run attempt `attempt` of the task now; it times out at `deadline` (if the task has a timeout). */
  | { kind: 'start'; key: string; attempt: number; at: number; readyAt: number; deadline?: number }
  /** The task does not run (run_if not met, or the run was cancelled before it started). */
  | { kind: 'skip'; key: string; result: TaskResult; message: string; at: number }
  /**
   * An attempt ended. TIMEDOUT and CANCELED are decided here: the caller stops that attempt's work. `retryAt`: the
   * task runs again then (its next attempt's `start` comes from a later `advance`).
   */
  | { kind: 'end'; key: string; attempt: number; result: 'SUCCESS' | 'FAILED' | 'TIMEDOUT' | 'CANCELED'; at: number; retryAt?: number };

export interface SchedulerOptions {
  /** At most this many attempts run at once (Databricks runs as many as it can; a laptop may want fewer). */
  parallelism?: number;
  /** Results of dependencies that are not run this time (a repair's untouched tasks). */
  known?: ReadonlyMap<string, TaskResult>;
  /** Outcomes of condition tasks among `known`. */
  knownOutcomes?: ReadonlyMap<string, string>;
  /** The first attempt number per task (a repair continues the numbering). */
  firstAttempt?: (key: string) => number;
  /**
   * When the whole run times out (the job's timeout_seconds after the run started): running attempts end
   * TIMEDOUT without a retry, and tasks that have not started are cancelled.
   */
  runDeadline?: number;
}

/** max_retries -1 means "retry forever"; an attempt that always fails must still let the run end. */
export const UNLIMITED_RETRIES_CAP = 100;

type TaskState =
  | { phase: 'waiting' }
  | { phase: 'ready'; since: number }
  | { phase: 'running'; attempt: number; deadline?: number }
  | { phase: 'retrying'; attempt: number; at: number }
  | { phase: 'done'; result: TaskResult; outcome?: string };

function num(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function dependencyKeys(task: SchedulableTask): string[] {
  return (task.depends_on ?? []).map((d) => String(d.task_key));
}

/** Kahn's algorithm; dependencies outside `tasks` do not constrain the order. Throws on a cycle. */
export function topologicalOrder<T extends SchedulableTask>(tasks: readonly T[]): T[] {
  const keys = new Set(tasks.map((t) => t.task_key));
  const indegree = new Map(tasks.map((t) => [t.task_key, dependencyKeys(t).filter((d) => keys.has(d)).length]));
  const order: T[] = [];
  const ready = tasks.filter((t) => indegree.get(t.task_key) === 0);
  while (ready.length > 0) {
    const task = ready.shift()!;
    order.push(task);
    for (const other of tasks) {
      if (!dependencyKeys(other).includes(task.task_key)) continue;
      const left = indegree.get(other.task_key)! - 1;
      indegree.set(other.task_key, left);
      if (left === 0) ready.push(other);
    }
  }
  if (order.length !== tasks.length) throw new Error('task dependencies form a cycle');
  return order;
}

/**
 * The tasks a partial run executes: `only` (run-now's `only`, `run --only`) names them; with `withDependents`,
 * everything downstream of them runs too (repair's rerun_dependent_tasks).
 */
export function selectTasks<T extends SchedulableTask>(tasks: readonly T[], only: readonly string[] | undefined, withDependents = false): T[] {
  if (only === undefined) return [...tasks];
  const unknown = only.filter((k) => !tasks.some((t) => t.task_key === k));
  if (unknown.length > 0) throw new RangeError(`no task ${unknown.map((k) => `"${k}"`).join(', ')} in this job`);
  const chosen = new Set(only);
  for (let grew = withDependents; grew; ) {
    grew = false;
    for (const t of tasks) {
      if (!chosen.has(t.task_key) && dependencyKeys(t).some((d) => chosen.has(d))) {
        chosen.add(t.task_key);
        grew = true;
      }
    }
  }
  return tasks.filter((t) => chosen.has(t.task_key));
}

export class TaskScheduler {
  private readonly tasks: SchedulableTask[];
  private readonly states = new Map<string, TaskState>();
  private readonly known: ReadonlyMap<string, TaskResult>;
  private readonly knownOutcomes: ReadonlyMap<string, string>;
  private readonly parallelism: number;
  private readonly firstAttempt: (key: string) => number;
  private readonly runDeadline: number | undefined;
  private time: number;
  /** Set once the run's own timeout ended it. */
  timedOut = false;

  constructor(tasks: readonly SchedulableTask[], startAt: number, options: SchedulerOptions = {}) {
    this.tasks = topologicalOrder(tasks);
    // Keep the job's order among tasks that become ready together.
    this.tasks.sort((a, b) => tasks.indexOf(a) - tasks.indexOf(b));
    for (const t of this.tasks) this.states.set(t.task_key, { phase: 'waiting' });
    this.known = options.known ?? new Map();
    this.knownOutcomes = options.knownOutcomes ?? new Map();
    this.parallelism = Math.max(1, options.parallelism ?? Number.POSITIVE_INFINITY);
    this.firstAttempt = options.firstAttempt ?? (() => 0);
    this.runDeadline = options.runDeadline;
    this.time = startAt;
  }

  get done(): boolean {
    return [...this.states.values()].every((s) => s.phase === 'done');
  }

  /** The outcome of a condition task that ended (or was known). */
  outcome(key: string): string | undefined {
    return this.outcomeOf(key);
  }

  /** Final results so far, in the order tasks were given. */
  results(): Map<string, TaskResult> {
    const out = new Map<string, TaskResult>();
    for (const [key, s] of this.states) if (s.phase === 'done') out.set(key, s.result);
    return out;
  }

  /** The next time something happens without being reported: a timeout or a retry becoming due. */
  wakeAt(): number | undefined {
    let next: number | undefined = this.done ? undefined : this.runDeadline;
    for (const s of this.states.values()) {
      const at = s.phase === 'running' ? s.deadline : s.phase === 'retrying' ? s.at : undefined;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Everything that happens up to `now`, in time order. Call it first with the start time. */
  advance(now: number): Step[] {
    const steps: Step[] = [];
    let t = this.time;
    for (;;) {
      steps.push(...this.resolve(t));
      const next = this.wakeAt();
      if (next === undefined || next > now) break;
      t = Math.max(t, next);
      steps.push(...this.fire(t));
    }
    this.time = Math.max(this.time, now);
    return steps;
  }

  /**
   * An attempt's work ended at `at` (TIMEDOUT: the work stopped itself on a limit of its own); a report about an
   * attempt that already ended (timed out here) is ignored. `outcome`: a condition task's ("true"/"false"), which
   * decides the dependents that name an outcome.
   */
  finish(key: string, attempt: number, result: 'SUCCESS' | 'FAILED' | 'TIMEDOUT', at: number, outcome?: string): Step[] {
    const steps = this.advance(at);
    const s = this.states.get(key);
    if (s?.phase !== 'running' || s.attempt !== attempt) return steps;
    steps.push(this.end(key, attempt, result, Math.max(at, this.time)));
    const ended = this.states.get(key)!;
    if (ended.phase === 'done' && result === 'SUCCESS' && outcome !== undefined) ended.outcome = outcome;
    return [...steps, ...this.advance(at)];
  }

  /** Cancels the run at `at`: running attempts end CANCELED, every task not yet done is skipped. */
  cancel(at: number): Step[] {
    at = Math.max(at, this.time);
    const steps = this.endAll(at, 'CANCELED', 'Run cancelled.');
    this.time = at;
    return steps;
  }

  /** The run's own timeout: what runs ends TIMEDOUT (no retry: the run is over), what waits is cancelled. */
  private timeOut(at: number): Step[] {
    this.timedOut = true;
    return this.endAll(at, 'TIMEDOUT', "The run timed out (the job's timeout_seconds) before this task started.");
  }

  /** Ends the run at `at`: running attempts end `running` (no retry), every task not yet done is cancelled. */
  private endAll(at: number, running: 'CANCELED' | 'TIMEDOUT', message: string): Step[] {
    const steps: Step[] = [];
    for (const t of this.tasks) {
      const s = this.states.get(t.task_key)!;
      if (s.phase === 'done') continue;
      if (s.phase === 'running') {
        steps.push({ kind: 'end', key: t.task_key, attempt: s.attempt, result: running, at });
        this.states.set(t.task_key, { phase: 'done', result: running });
      } else {
        steps.push({ kind: 'skip', key: t.task_key, result: 'CANCELED', message, at });
        this.states.set(t.task_key, { phase: 'done', result: 'CANCELED' });
      }
    }
    return steps;
  }

  private resultOf(key: string): TaskResult | undefined {
    const s = this.states.get(key);
    if (s) return s.phase === 'done' ? s.result : undefined;
    return this.known.get(key);
  }

  private outcomeOf(key: string): string | undefined {
    const s = this.states.get(key);
    return s ? (s.phase === 'done' ? s.outcome : undefined) : this.knownOutcomes.get(key);
  }

  /**
   * A dependency's result as the dependent sees it: an edge that names a condition outcome other than the one the
   * condition task had is EXCLUDED (the branch not taken); run_if then treats it like any excluded task.
   */
  private edgeResult(dep: { task_key: string; outcome?: unknown }): TaskResult | undefined {
    const result = this.resultOf(String(dep.task_key));
    if (result !== 'SUCCESS' || dep.outcome === undefined || dep.outcome === null) return result;
    return String(dep.outcome) === this.outcomeOf(String(dep.task_key)) ? 'SUCCESS' : 'EXCLUDED';
  }

  private running(): number {
    return [...this.states.values()].filter((s) => s.phase === 'running').length;
  }

  /** Tasks whose dependencies are done are decided (skip or ready); ready tasks start while slots are free. */
  private resolve(at: number): Step[] {
    const steps: Step[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      for (const task of this.tasks) {
        const key = task.task_key;
        if (this.states.get(key)!.phase !== 'waiting') continue;
        const deps = (task.depends_on ?? []).filter((d) => this.states.has(String(d.task_key)) || this.known.has(String(d.task_key)));
        const results = deps.map((d) => this.edgeResult(d));
        if (results.some((r) => r === undefined)) continue;
        const decision = decideRunIf(typeof task.run_if === 'string' ? task.run_if : undefined, results as TaskResult[]);
        if (decision.run) {
          this.states.set(key, { phase: 'ready', since: at });
        } else {
          this.states.set(key, { phase: 'done', result: decision.result });
          steps.push({ kind: 'skip', key, result: decision.result, message: decision.message, at });
          changed = true;
        }
      }
    }
    for (const task of this.tasks) {
      const s = this.states.get(task.task_key)!;
      if (s.phase !== 'ready' || this.running() >= this.parallelism) continue;
      steps.push(this.start(task, this.firstAttempt(task.task_key), s.since, at));
    }
    return steps;
  }

  private start(task: SchedulableTask, attempt: number, readyAt: number, at: number): Step {
    const timeoutMs = num(task.timeout_seconds) * 1000;
    const deadline = timeoutMs > 0 ? at + timeoutMs : undefined;
    this.states.set(task.task_key, { phase: 'running', attempt, ...(deadline !== undefined ? { deadline } : {}) });
    return { kind: 'start', key: task.task_key, attempt, at, readyAt, ...(deadline !== undefined ? { deadline } : {}) };
  }

  /** Timers due at `at`: the run's timeout ends it, timeouts end attempts, due retries start. */
  private fire(at: number): Step[] {
    if (this.runDeadline !== undefined && this.runDeadline <= at && !this.done) return this.timeOut(at);
    const steps: Step[] = [];
    for (const task of this.tasks) {
      const s = this.states.get(task.task_key)!;
      if (s.phase === 'running' && s.deadline !== undefined && s.deadline <= at) steps.push(this.end(task.task_key, s.attempt, 'TIMEDOUT', at));
    }
    for (const task of this.tasks) {
      const s = this.states.get(task.task_key)!;
      if (s.phase !== 'retrying' || s.at > at) continue;
      // A retry waits for a free slot like any ready task.
      if (this.running() >= this.parallelism) {
        s.at = Number.POSITIVE_INFINITY;
        continue;
      }
      steps.push(this.start(task, s.attempt, at, at));
    }
    return steps;
  }

  private end(key: string, attempt: number, result: 'SUCCESS' | 'FAILED' | 'TIMEDOUT', at: number): Step {
    const task = this.tasks.find((t) => t.task_key === key)!;
    const max = num(task.max_retries);
    const budget = max < 0 ? UNLIMITED_RETRIES_CAP : max;
    const used = attempt - this.firstAttempt(key);
    const retryable = result === 'FAILED' || (result === 'TIMEDOUT' && task.retry_on_timeout === true);
    // A slot is free: a retry that was waiting for one is due now.
    for (const s of this.states.values()) if (s.phase === 'retrying' && s.at === Number.POSITIVE_INFINITY) s.at = at;
    if (retryable && used < budget) {
      const retryAt = at + Math.max(0, num(task.min_retry_interval_millis));
      this.states.set(key, { phase: 'retrying', attempt: attempt + 1, at: retryAt });
      return { kind: 'end', key, attempt, result, at, retryAt };
    }
    this.states.set(key, { phase: 'done', result });
    return { kind: 'end', key, attempt, result, at };
  }
}
