// Polling a run nothing is known about (its job's first run, or a task with no history): the task graph alone
// says when the end cannot come soon. While a task still waits for another, a successful run is at least one
// task away from its end, so the poller looks less often than the waiter (4, 8, then 12–15 s apart, where the
// waiter ramps 1, 2, … 10 s) and saves requests: in a 2-minute run the waiter makes 11 requests in its first
// minute, almost all while the run cannot end yet. Once nothing waits (the closing stage) the next task end
// may end the run, and the saved requests are spent there, at most an eighth of a typical task of this run
// apart. A late start of the closing stage costs nothing to see: runs/get gives the last task's start_time.
// The price: a task that fails while others wait for it ends the run too, and is seen within the waiting gap
// (12–15 s) rather than the waiter's 10–11 s.
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
  /** … up to this fraction of the time watched so far, within these bounds (the lower one is above the
   *  waiter's 10.4 s: the waiting stage is where the closing stage's requests are saved). */
  waitingFactor?: number;
  waitingMinGapMs?: number;
  waitingMaxGapMs?: number;
  /** Bounds of the wait in the closing stage. */
  closingMinMs?: number;
  closingMaxMs?: number;
  /** … and at most this share of a typical task of the run (a short last task is watched more closely). */
  closingTaskShare?: number;
  /** Random extra wait, up to this fraction of the wait, so many watchers do not poll in step. */
  jitter?: number;
  random?: () => number;
}

export const STAGED_DEFAULTS: Required<Omit<StagedOptions, 'random'>> = {
  waitingStepMs: 4_000,
  waitingFactor: 0.05,
  waitingMinGapMs: 12_000,
  waitingMaxGapMs: 15_000,
  closingMinMs: 1_000,
  closingMaxMs: 4_000,
  closingTaskShare: 0.125,
  jitter: 0.1,
};

/** The waiter's gap once backed off: 10 s plus 0.4 s of jitter on average (50–750 ms). */
const BASELINE_GAP_MS = 10_400;

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);

/**
 * Meant to run inside withBaselineBudget: what the waiting stages save is what the closing stage spends. The
 * closing stage spreads the saved requests, plus those the waiter would make meanwhile, over a horizon: as
 * long as the stage has lasted so far, and at least a typical task of this run (tasks of one job tend to have
 * durations of one order), never more than closingTaskShare of that task apart (the closing wait of a 2-minute
 * run is then about 3 s, where a fixed 4 s would put the median delay at 2 s). A wrong horizon costs little:
 * once the savings are spent the budget holds the poller to the waiter's pace (a last task far longer than the
 * run's others is then seen at that pace).
 */
export function stagedBackoff(options: StagedOptions = {}): PollSchedule {
  const o = { ...STAGED_DEFAULTS, ...options };
  const random = options.random ?? Math.random;
  const waiting = (s: PollState) =>
    Math.min(Math.max(s.polls, 1) * o.waitingStepMs, clamp(o.waitingFactor * (s.now - s.startedAt), o.waitingMinGapMs, o.waitingMaxGapMs));
  const closing = (s: PollState, snapshot: RunSnapshot, since: number) => {
    const typical = typicalTaskMs(snapshot);
    const horizon = Math.max(s.now - since, typical);
    const polls = Math.max(0, baselineCount(s.now - s.startedAt) - s.requests) + horizon / BASELINE_GAP_MS;
    const max = typical > 0 ? clamp(o.closingTaskShare * typical, o.closingMinMs, o.closingMaxMs) : o.closingMaxMs;
    // Nothing saved and no horizon yet (a run that starts in its closing stage): the budget sets the pace.
    return polls > 0 ? clamp(horizon / polls, o.closingMinMs, max) : o.closingMinMs;
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
