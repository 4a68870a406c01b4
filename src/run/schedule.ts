// When to poll runs/get next. Two baselines (a fixed interval, and the Databricks SDK/CLI waiter's linear
// backoff 1 s → 10 s plus 0–1 s jitter) and the predictive schedule dbx-ts uses: sparse while nothing is
// expected, close around the moments earlier runs say a task (and above all the run) will end, backing off
// when a task runs late. A budget guard keeps any schedule at or below the linear baseline's request count.
import type { TaskHistory } from './history.ts';
import { predictEnds, type PredictedEnd } from './predict.ts';
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
  /** Before the window, a band this many standard deviations wide is polled at `earlyStepFactor` × the step. */
  earlyBandSigmas?: number;
  earlyStepFactor?: number;
  /** Once past a window, wait this fraction of the lateness (so a late end is still noticed quickly). */
  lateFactor?: number;
  /** Random extra wait, up to this many ms, so many watchers do not poll in step. */
  jitterMs?: number;
  random?: () => number;
}

export const PREDICTIVE_DEFAULTS: Required<Omit<PredictiveOptions, 'random'>> = {
  maxGapMs: 60 * SECOND,
  runEndStepMs: 1 * SECOND,
  taskEndStepMs: 5 * SECOND,
  windowSigmas: 1.5,
  minHalfWindowMs: 1.5 * SECOND,
  earlyBandSigmas: 1.5,
  earlyStepFactor: 4,
  lateFactor: 0.25,
  jitterMs: 200,
};

/**
 * Polls around predicted task ends; falls back to `fallback` (dbx-ts: staged by the task graph, closing.ts)
 * whenever no prediction is possible: a first run, or a task that never succeeded before.
 */
export function predictiveSchedule(history: TaskHistory, fallback: PollSchedule, options: PredictiveOptions = {}): PollSchedule {
  const o = { ...PREDICTIVE_DEFAULTS, ...options };
  const random = options.random ?? Math.random;
  return {
    name: history.size > 0 ? 'predictive' : `predictive (no history: ${fallback.name})`,
    delay: (s) => {
      const prediction = s.snapshot && history.size > 0 ? predictEnds(s.snapshot, history, s.now) : undefined;
      if (!prediction) return fallback.delay(s);
      // Polls the run's end needs are reserved first; other tasks' ends and the live view get what is left.
      // The window is sized by the last task's own spread by the time it matters (its upstream will have ended).
      const lastSpread = history.get(prediction.run.key)?.spread ?? prediction.run.spread;
      const spare = spareRequests(s, { ...prediction.run, spread: Math.min(prediction.run.spread, lastSpread) }, o) > 0;
      let next = spare ? s.now + o.maxGapMs : Number.POSITIVE_INFINITY;
      for (const task of prediction.tasks) {
        const isRunEnd = task.key === prediction.run.key;
        if (!isRunEnd && !spare) continue;
        const step = isRunEnd ? o.runEndStepMs : o.taskEndStepMs;
        const half = Math.max(o.minHalfWindowMs, o.windowSigmas * task.spread);
        const opens = task.at - half;
        const closes = task.at + half;
        // An early end is rarer than one inside the window, but should not wait for the window to open.
        const early = opens - o.earlyBandSigmas * task.spread;
        let candidate: number;
        if (s.now < early) candidate = early;
        else if (s.now < opens) candidate = Math.min(opens, s.now + o.earlyStepFactor * step);
        else if (s.now <= closes) candidate = s.now + step;
        else candidate = s.now + Math.min(10 * SECOND, Math.max(step, o.lateFactor * (s.now - closes)));
        next = Math.min(next, candidate);
      }
      return Math.max(0, next - s.now) + random() * o.jitterMs;
    },
  };
}

/** How many requests the baseline would have made by `elapsed` ms. */
export function baselineCount(elapsed: number): number {
  let n = 0;
  while (baselinePollAt(n + 1) <= elapsed) n++;
  return n + 1;
}

/**
 * Requests left over once the run's end is paid for: what the baseline budget allows by the end of the
 * run-end window, minus what was spent, minus what polling the early band, the window and a late tail costs.
 */
function spareRequests(s: PollState, run: PredictedEnd, o: Required<Omit<PredictiveOptions, 'random'>>): number {
  const half = Math.max(o.minHalfWindowMs, o.windowSigmas * run.spread);
  const band = o.earlyBandSigmas * run.spread;
  const reserve = Math.ceil((2 * half) / o.runEndStepMs) + Math.ceil(band / (o.earlyStepFactor * o.runEndStepMs)) + LATE_RESERVE;
  return baselineCount(run.at + half - s.startedAt) - s.requests - reserve;
}

/** Polls kept for a run that ends after its window. */
const LATE_RESERVE = 4;
