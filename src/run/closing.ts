// Polling a run nothing is known about (its job's first run, or a task with no history): the task graph alone
// says when the end cannot come soon. While a task still waits for another, a successful run is at least one
// task away from its end, so the poller looks a little less often than the waiter and saves requests. Once
// nothing waits (the closing stage) the next task end may end the run, and the saved requests are spent.
// The price: a task that fails while others wait for it ends the run too, and is seen within the waiting gap
// (10–15 s) rather than the waiter's 10–11 s.
import { baselineCount, type PollSchedule, type PollState } from './schedule.ts';
import type { RunSnapshot } from './snapshot.ts';
import { isTerminal } from './states.ts';

/**
 * When the run's closing stage began, counted from the last task end seen (or the run's start): undefined
 * while some unfinished task depends on another unfinished one.
 */
export function closingSince(snapshot: RunSnapshot, now: number): number | undefined {
  const unfinished = new Set(snapshot.tasks.filter((t) => !isTerminal(t.state)).map((t) => t.key));
  if (snapshot.tasks.some((t) => unfinished.has(t.key) && t.dependsOn.some((d) => unfinished.has(d)))) return undefined;
  const ends = snapshot.tasks.filter((t) => isTerminal(t.state)).map((t) => t.end ?? now);
  return Math.max(snapshot.start ?? now, ...ends);
}

/** Median duration of the tasks this run has finished, ms (0 before any). */
export function typicalTaskMs(snapshot: RunSnapshot): number {
  const durations = snapshot.tasks
    .filter((t) => isTerminal(t.state) && t.start !== undefined && t.end !== undefined)
    .map((t) => t.end! - t.start!)
    .sort((a, b) => a - b);
  return durations[Math.floor(durations.length / 2)] ?? 0;
}

export interface StagedOptions {
  /** While a task waits for another: the wait grows by this step per poll … */
  waitingStepMs?: number;
  /** … up to this fraction of the time watched so far, within these bounds. */
  waitingFactor?: number;
  waitingMinGapMs?: number;
  waitingMaxGapMs?: number;
  /** Bounds of the wait in the closing stage. */
  closingMinMs?: number;
  closingMaxMs?: number;
  /** Random extra wait, up to this fraction of the wait, so many watchers do not poll in step. */
  jitter?: number;
  random?: () => number;
}

export const STAGED_DEFAULTS: Required<Omit<StagedOptions, 'random'>> = {
  waitingStepMs: 2_000,
  waitingFactor: 0.05,
  waitingMinGapMs: 10_000,
  waitingMaxGapMs: 15_000,
  closingMinMs: 1_000,
  closingMaxMs: 4_000,
  jitter: 0.1,
};

/** The waiter's gap once backed off: 10 s plus 0.4 s of jitter on average (50–750 ms). */
const BASELINE_GAP_MS = 10_400;

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/**
 * Meant to run inside withBaselineBudget: what the waiting stages save is what the closing stage spends. The
 * closing stage spreads the saved requests, plus those the waiter would make meanwhile, over a horizon: as
 * long as the stage has lasted so far, and at least a typical task of this run (tasks of one job tend to have
 * durations of one order). A wrong horizon costs little: once the savings are spent the budget holds the
 * poller to the waiter's pace.
 */
export function stagedBackoff(options: StagedOptions = {}): PollSchedule {
  const o = { ...STAGED_DEFAULTS, ...options };
  const random = options.random ?? Math.random;
  const waiting = (s: PollState) =>
    Math.min(Math.max(s.polls, 1) * o.waitingStepMs, clamp(o.waitingFactor * (s.now - s.startedAt), o.waitingMinGapMs, o.waitingMaxGapMs));
  const closing = (s: PollState, snapshot: RunSnapshot, since: number) => {
    const horizon = Math.max(s.now - since, typicalTaskMs(snapshot));
    const polls = Math.max(0, baselineCount(s.now - s.startedAt) - s.requests) + horizon / BASELINE_GAP_MS;
    // Nothing saved and no horizon yet (a run that starts in its closing stage): the budget sets the pace.
    return polls > 0 ? clamp(horizon / polls, o.closingMinMs, o.closingMaxMs) : o.closingMinMs;
  };
  return {
    name: 'staged backoff',
    delay: (s) => {
      const since = s.snapshot ? closingSince(s.snapshot, s.now) : undefined;
      const wait = s.snapshot && since !== undefined ? closing(s, s.snapshot, since) : waiting(s);
      return wait * (1 + o.jitter * random());
    },
  };
}
