// When to poll runs/get next. Two baselines (a fixed interval, and the Databricks SDK/CLI waiter's linear
// backoff 1 s → 10 s plus 50–750 ms jitter) and the predictive schedule dbx-ts uses: sparse while the run
// cannot end yet, dense where earlier runs say it is likely to end. A budget guard keeps any schedule at or
// below the linear baseline's request count.
import { ownRunStats, type TaskHistory } from './history.ts';
import { closingSince } from './closing.ts';
import { DEFAULT_DRAWS, sampleRunEnds } from './predict.ts';
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

/** The Databricks SDK waiter (retries.Poll in databricks-sdk-go): min(attempt, 10) s plus 50–750 ms of jitter. */
export function linearBackoff(random: () => number = Math.random): PollSchedule {
  return { name: 'linear backoff 1→10 s', delay: (s) => Math.min(Math.max(s.polls, 1), BACKOFF_STEPS) * SECOND + WAITER_JITTER_MIN_MS + random() * (WAITER_JITTER_MAX_MS - WAITER_JITTER_MIN_MS) };
}

const WAITER_JITTER_MIN_MS = 50;
const WAITER_JITTER_MAX_MS = 750;

export function fixedInterval(ms: number): PollSchedule {
  return { name: `fixed ${ms / SECOND} s`, delay: () => ms };
}

/**
 * When the linear baseline makes its (n+1)-th poll, ms after watching began, counting 500 ms of jitter per wait
 * (the waiter's mean is 400 ms): a budget kept to this pace makes slightly fewer requests than the waiter.
 */
export function baselinePollAt(n: number): number {
  const rising = Math.min(n, BACKOFF_STEPS);
  return ((rising * (rising + 1)) / 2) * SECOND + Math.max(0, n - BACKOFF_STEPS) * BACKOFF_STEPS * SECOND + n * BUDGET_JITTER_MS;
}

const BUDGET_JITTER_MS = 500;

/** The waiter's wait grows by a second per poll for this many polls, then stays at this many seconds. */
const BACKOFF_STEPS = 10;

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
  /** Longest wait while the run's end is not expected soon, so the live view still moves. */
  maxGapMs?: number;
  /** Shortest wait between polls. */
  minStepMs?: number;
  /**
   * How closely polls follow the likelihood f of the end: gaps of c / f^α. ½ minimises the mean delay; smaller
   * spreads more polls into the unlikely ends, which bounds the slow cases (the 90th percentile) better.
   */
  densityExponent?: number;
  /** The smallest c (ms^(1−α)): below it, polls would buy next to nothing. */
  minScale?: number;
  /** The horizon the budget is planned over: this quantile of the run's predicted end. */
  horizonQuantile?: number;
  /** Polls kept back for a run that ends after the horizon. */
  lateReserve?: number;
  /** While the end is not expected within the longest gap, each wait covers at most this part of the way to its earliest plausible moment. */
  approachStep?: number;
  /** Draws of the run's end per decision (predict.ts). */
  draws?: number;
  /** Random extra wait, up to this many ms, so many watchers do not poll in step. */
  jitterMs?: number;
  random?: () => number;
}

export const PREDICTIVE_DEFAULTS: Required<Omit<PredictiveOptions, 'random'>> = {
  maxGapMs: 30 * SECOND,
  minStepMs: 1 * SECOND,
  densityExponent: 1 / 3,
  minScale: 0,
  horizonQuantile: 0.99,
  lateReserve: 4,
  approachStep: 1 / 3,
  draws: DEFAULT_DRAWS,
  jitterMs: 200,
};

/**
 * Polls as densely as the run's end is likely: with f the probability density of the end (drawn from the task
 * history, predict.ts), a gap of sqrt(2·v / f) minimises the expected delay plus v per poll, so polls crowd where
 * the end is likely and thin out where it is not, and nothing is spent while the run cannot end yet. When the
 * budget (the waiter's requests until the end's 99th percentile; its 90th for a first run's own-task forecast)
 * cannot pay for that, the gaps widen evenly.
 * A first run has no history: once it has finished tasks of a minute or more, their durations stand in for it
 * (ownRunStats; in the closing stage never polling slower than `fallback`). Falls back to `fallback` (dbx-ts:
 * staged by the task graph, closing.ts) whenever no prediction is possible: a first run before that, or a task
 * that never succeeded before.
 */
export function predictiveSchedule(history: TaskHistory, fallback: PollSchedule, options: PredictiveOptions = {}): PollSchedule {
  const o = { ...PREDICTIVE_DEFAULTS, ...options };
  const random = options.random ?? Math.random;
  // A first run: once it has finished tasks of a minute or more, they stand in for the history (ownRunStats).
  let own: { finished: number; history: TaskHistory | undefined } | undefined;
  const ownHistory = (snapshot: RunSnapshot): TaskHistory | undefined => {
    const finished = snapshot.tasks.filter((t) => t.end !== undefined).length;
    if (own?.finished !== finished) {
      const stats = ownRunStats(snapshot);
      // One stats object while nothing new finishes: predict.ts keeps its spread factors per object.
      own = { finished, history: stats && stats.median >= OWN_RUN_MIN_TASK_MS ? new Map(snapshot.tasks.map((t) => [t.key, stats])) : undefined };
    }
    return own.history;
  };
  return {
    name: history.size > 0 ? 'predictive' : `predictive (first run: by its own finished tasks, before them ${fallback.name})`,
    delay: (s) => {
      const ownRun = history.size === 0;
      const known = !ownRun ? history : s.snapshot && ownHistory(s.snapshot);
      const ends = s.snapshot && known ? sampleRunEnds(s.snapshot, known, s.now, random, o.draws) : undefined;
      if (!ends) return fallback.delay(s);
      const horizon = ends[Math.min(ends.length - 1, Math.floor(o.horizonQuantile * ends.length))]!;
      // A forecast from the run's own tasks plans only with the requests that accrue until its 90th percentile.
      const accrualUntil = ownRun ? ends[Math.floor(OWN_RUN_ACCRUAL_QUANTILE * ends.length)]! : horizon;
      const affordable = baselineCount(accrualUntil - s.startedAt) - s.requests - o.lateReserve;
      // The run's own tasks foresee its last ones only roughly: polls follow that forecast loosely.
      const exponent = ownRun ? OWN_RUN_DENSITY_EXPONENT : o.densityExponent;
      // Nothing left to plan with: poll as soon as the budget allows, at the waiter's own pace.
      if (affordable <= 0) return o.minStepMs + random() * o.jitterMs;
      const scale = Math.max(o.minScale, budgetScale(ends, s.now, horizon, affordable, exponent));
      let next = nextPoll(ends, s.now, scale, exponent);
      // While the end is not expected within the longest gap, never past part of the way to the earliest plausible
      // end: a few cheap polls that catch an end earlier than the history foresaw (a handful of runs can make a
      // task look steadier than it is).
      const earliest = ends[Math.floor(EARLIEST_QUANTILE * ends.length)]!;
      const approaching = ends[Math.floor(APPROACH_QUANTILE * ends.length)]! > s.now + o.maxGapMs;
      if (approaching) next = Math.min(next, s.now + (earliest - s.now) * o.approachStep);
      const delay = Math.min(o.maxGapMs, Math.max(o.minStepMs, next - s.now)) + random() * o.jitterMs;
      // The run's own tasks say only roughly how long its last ones take: once nothing waits, never slower than
      // the task graph alone would poll, nor than OWN_RUN_CLOSING_MAX_MS.
      return ownRun && closingSince(s.snapshot!, s.now) !== undefined ? Math.min(delay, fallback.delay(s), OWN_RUN_CLOSING_MAX_MS + random() * o.jitterMs) : delay;
    },
  };
}

const EARLIEST_QUANTILE = 0.01;

/**
 * A first run's own tasks stand in for its history only when they are this long: with shorter tasks the whole
 * run fits in the waiter's ramp (its first 10 polls take 55 s), which leaves too few requests to plan with, and
 * the task graph alone (stagedBackoff) uses them better.
 */
const OWN_RUN_MIN_TASK_MS = 60 * SECOND;

/**
 * densityExponent for a forecast from the run's own tasks: a little flatter than 1/3, because their median stands
 * in for tasks of other lengths; crowding the polls where it puts the end would leave nothing for an end it put
 * too early. (0.2 was needed while the plan counted requests that accrue only later; see OWN_RUN_ACCRUAL_QUANTILE.)
 */
const OWN_RUN_DENSITY_EXPONENT = 0.3;

/**
 * A forecast from the run's own tasks is wide, and the polls it plans crowd its middle: planned with every
 * request the waiter would make until its 99th percentile, they spend early what accrues only later, and a last
 * task longer than the middle finds the budget spent and is watched at the waiter's 10 s pace (bench:poll, σ 0.5,
 * 10-minute first runs: p90 6.25 s). Planned with what accrues until the 90th percentile, the late tail keeps
 * its polls (the same runs: p90 3.4 s), at the price of a slightly sparser middle.
 */
const OWN_RUN_ACCRUAL_QUANTILE = 0.9;

/**
 * The longest closing-stage wait of a first run with tasks of a minute or more. The task graph alone would wait up
 * to 4 s there (closing.ts), which put the median delay of 10- and 30-minute first runs at 1.7-2.1 s with a third
 * of the waiter's budget left unspent (bench:poll, BENCH_SEED=1); such runs save enough while their tasks wait
 * for 3 s. Shorter runs keep the task graph's 4 s: a 3 s cap there spends their smaller savings too soon (σ 0.5,
 * 2-minute first runs, BENCH_SEED=3: p90 4.91 s against 3.85 s).
 */
const OWN_RUN_CLOSING_MAX_MS = 3 * SECOND;
const APPROACH_QUANTILE = 0.05;

/**
 * The next poll: the first moment τ with (τ − now)^(1−α) · P(end ≤ τ)^α ≥ scale, i.e. a gap of scale / f^α where
 * the density f is even, and never past the place where the end starts to be likely.
 */
export function nextPoll(ends: readonly number[], now: number, scale: number, exponent: number): number {
  const n = ends.length;
  for (let i = 0; i < n; i++) {
    // Between the i-th and the next draw, P(end ≤ τ) is (i + 1) / n.
    const at = Math.max(ends[i]!, now + (scale / ((i + 1) / n) ** exponent) ** (1 / (1 - exponent)));
    if (i === n - 1 || at < ends[i + 1]!) return at;
  }
  return now;
}

/** The scale at which polls over [now, horizon] number `affordable`: ∫ f^α / affordable (a histogram's f). */
function budgetScale(ends: readonly number[], now: number, horizon: number, affordable: number, exponent: number): number {
  if (affordable <= 0) return Number.POSITIVE_INFINITY;
  const width = Math.max((horizon - now) / 48, 250);
  const bins = new Map<number, number>();
  for (const end of ends) {
    if (end > horizon) break;
    const bin = Math.floor((end - now) / width);
    bins.set(bin, (bins.get(bin) ?? 0) + 1);
  }
  let integral = 0;
  for (const count of bins.values()) integral += (count / ends.length / width) ** exponent * width;
  return integral / affordable;
}

/** How many requests the baseline would have made by `elapsed` ms. */
export function baselineCount(elapsed: number): number {
  const backedOff = baselinePollAt(BACKOFF_STEPS);
  if (elapsed >= backedOff) return BACKOFF_STEPS + 1 + Math.floor((elapsed - backedOff) / (BACKOFF_STEPS * SECOND + BUDGET_JITTER_MS));
  let n = 0;
  while (baselinePollAt(n + 1) <= elapsed) n++;
  return n + 1;
}
