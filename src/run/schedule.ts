// When to poll runs/get next. Two baselines (a fixed interval, and the Databricks SDK/CLI waiter's linear
// backoff 1 s → 10 s plus 0–1 s jitter) and the predictive schedule dbx-ts uses: sparse while nothing is
// expected, close around the moments earlier runs say a task (and above all the run) will end, backing off
// when a task runs late. A budget guard keeps any schedule at or below the linear baseline's request count.
import type { TaskHistory } from './history.ts';
import { predictEnds } from './predict.ts';
import type { RunSnapshot } from './snapshot.ts';

export interface PollState {
  now: number;
  /** When watching began (just after run-now). */
  startedAt: number;
  /** runs/get polls so far (the first happens at once, before any delay is asked for). */
  polls: number;
  /** Every request the watch made so far, polls included (history reads, pipeline lookups). */
  requests: number;
  /** What the last successful poll showed. */
  snapshot?: RunSnapshot;
}

export interface PollSchedule {
  readonly name: string;
  /** Milliseconds to wait before the next poll. */
  delay(state: PollState): number;
}

const SECOND = 1000;

/** The Databricks SDK waiter: min(attempt, 10) s plus 0–1 s of jitter. */
export function linearBackoff(random: () => number = Math.random): PollSchedule {
  return { name: 'linear backoff 1→10 s', delay: (s) => Math.min(Math.max(s.polls, 1), 10) * SECOND + random() * SECOND };
}

export function fixedInterval(ms: number): PollSchedule {
  return { name: `fixed ${ms / SECOND} s`, delay: () => ms };
}

/** Expected start of the linear baseline's (n+1)-th poll, ms after watching began (its mean jitter is 0.5 s). */
export function baselinePollAt(n: number): number {
  let at = 0;
  for (let k = 1; k <= n; k++) at += (Math.min(k, 10) + 0.5) * SECOND;
  return at;
}

/**
 * Never ahead of the linear baseline: the next request waits until the baseline would have made as many.
 * Credit saved while polling sparsely is what pays for polling closely later.
 */
export function withBaselineBudget(schedule: PollSchedule): PollSchedule {
  return {
    name: schedule.name,
    delay: (s) => Math.max(schedule.delay(s), s.startedAt + baselinePollAt(s.requests) - s.now),
  };
}

export interface PredictiveOptions {
  /** Longest wait while nothing is expected, so the live view still moves. */
  maxGapMs?: number;
  /** Poll step inside the window around the run's predicted end. */
  runEndStepMs?: number;
  /** Poll step inside the window around another task's predicted end. */
  taskEndStepMs?: number;
  /** Half-width of a window, in standard deviations of the prediction. */
  windowSigmas?: number;
  /** Narrowest half-window, ms. */
  minHalfWindowMs?: number;
  /** Once past a window, wait this fraction of the lateness (so a late end is still noticed quickly). */
  lateFactor?: number;
  /** Random extra wait, up to this many ms, so many watchers do not poll in step. */
  jitterMs?: number;
  random?: () => number;
}

export const PREDICTIVE_DEFAULTS: Required<Omit<PredictiveOptions, 'random'>> = {
  maxGapMs: 45 * SECOND,
  runEndStepMs: 1 * SECOND,
  taskEndStepMs: 4 * SECOND,
  windowSigmas: 1.25,
  minHalfWindowMs: 1.5 * SECOND,
  lateFactor: 0.25,
  jitterMs: 200,
};

/**
 * Polls around predicted task ends; falls back to `fallback` (the linear baseline) whenever no prediction is
 * possible: a first run, or a task that never succeeded before.
 */
export function predictiveSchedule(history: TaskHistory, fallback: PollSchedule, options: PredictiveOptions = {}): PollSchedule {
  const o = { ...PREDICTIVE_DEFAULTS, ...options };
  const random = options.random ?? Math.random;
  return {
    name: history.size > 0 ? 'predictive' : `predictive (no history: ${fallback.name})`,
    delay: (s) => {
      const prediction = s.snapshot && history.size > 0 ? predictEnds(s.snapshot, history, s.now) : undefined;
      if (!prediction) return fallback.delay(s);
      let next = s.now + o.maxGapMs;
      for (const task of prediction.tasks) {
        const isRunEnd = task.key === prediction.run.key;
        const step = isRunEnd ? o.runEndStepMs : o.taskEndStepMs;
        const half = Math.max(o.minHalfWindowMs, o.windowSigmas * task.spread);
        const opens = task.at - half;
        const closes = task.at + half;
        let candidate: number;
        if (s.now < opens) candidate = opens;
        else if (s.now <= closes) candidate = s.now + step;
        else candidate = s.now + Math.min(10 * SECOND, Math.max(step, o.lateFactor * (s.now - closes)));
        next = Math.min(next, candidate);
      }
      return Math.max(0, next - s.now) + random() * o.jitterMs;
    },
  };
}
