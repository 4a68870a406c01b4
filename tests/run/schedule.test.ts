// Poll schedules: the SDK waiter's linear backoff, the budget that keeps any schedule at or below it, task
// history, drawn run ends, and the predictive schedule that polls densely only where the run is likely to end.
import { describe, expect, it } from 'vitest';
import { durationStats, ownRunStats, taskHistoryFrom, type TaskHistory } from '../../src/run/history.ts';
import { sampleRunEnds } from '../../src/run/predict.ts';
import { stagedBackoff } from '../../src/run/closing.ts';
import { baselineCount, baselinePollAt, fixedInterval, linearBackoff, nextPoll, predictiveSchedule, withBaselineBudget, type PollSchedule, type PollState } from '../../src/run/schedule.ts';
import type { RunSnapshot, TaskSnapshot } from '../../src/run/snapshot.ts';
import type { BaseRun } from '../../src/workspace/index.ts';
import { seededRandom } from './helpers.ts';

const S = 1000;

function task(key: string, lifeCycle: string, extra: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return { key, state: { lifeCycle }, attempt: 0, dependsOn: [], ...extra };
}

function run(tasks: TaskSnapshot[]): RunSnapshot {
  return { runId: '1', state: { lifeCycle: 'RUNNING' }, tasks, repairIds: [] };
}

/** History with the given medians (ms) and log spreads, as from ten earlier runs. */
const history = (entries: Record<string, [number, number]>): TaskHistory =>
  new Map(Object.entries(entries).map(([k, [median, logSpread]]) => [k, { median, spread: median * logSpread, logSpread, samples: 10 }]));

const quantileOf = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]!;

describe('baselines', () => {
  it('backs off linearly from 1 s to 10 s with 50-750 ms of jitter, like the SDK waiter', () => {
    const delays = (random: number) => [1, 2, 3, 9, 10, 11, 50].map((polls) => linearBackoff(() => random).delay({ now: 0, startedAt: 0, polls, requests: polls }));
    expect(delays(0)).toEqual([1, 2, 3, 9, 10, 10, 10].map((s) => s * S + 50));
    expect(delays(1)).toEqual([1, 2, 3, 9, 10, 10, 10].map((s) => s * S + 750));
  });

  it('a fixed interval is fixed', () => {
    expect(fixedInterval(10 * S).delay({ now: 5, startedAt: 0, polls: 7, requests: 7 })).toBe(10 * S);
  });

  it('knows when the baseline makes its n-th request (counting 500 ms of jitter per wait)', () => {
    expect(baselinePollAt(0)).toBe(0);
    expect(baselinePollAt(1)).toBe(1.5 * S);
    expect(baselinePollAt(10)).toBe(60 * S);
    expect(baselinePollAt(12)).toBe(81 * S);
  });

  it('counts the requests the baseline has made by a moment, however late', () => {
    expect(baselineCount(0)).toBe(1);
    expect(baselineCount(1_499)).toBe(1);
    expect(baselineCount(1_500)).toBe(2);
    expect(baselineCount(60 * S)).toBe(11);
    for (const n of [0, 3, 10, 11, 57, 1_000]) {
      expect(baselineCount(baselinePollAt(n))).toBe(n + 1);
      expect(baselineCount(baselinePollAt(n + 1) - 1)).toBe(n + 1);
    }
    // A day's worth is counted at once, not poll by poll.
    expect(baselineCount(24 * 3600 * S)).toBe(8_233);
  });

  it('the budget holds a hasty schedule back to the baseline pace, and lets a patient one be', () => {
    const hasty = withBaselineBudget(fixedInterval(100));
    // Ten requests made 20 s in: the baseline makes its 11th at 60 s.
    expect(hasty.delay({ now: 20 * S, startedAt: 0, polls: 10, requests: 10 })).toBe(40 * S);
    const patient = withBaselineBudget(fixedInterval(30 * S));
    expect(patient.delay({ now: 100 * S, startedAt: 0, polls: 3, requests: 3 })).toBe(30 * S);
  });
});

describe('task history', () => {
  it('takes medians and a robust spread of successful attempts only', () => {
    const runs = [10, 12, 11, 30].map(
      (secs, i): BaseRun => ({
        run_id: i,
        tasks: [
          { task_key: 'a', start_time: 1000, end_time: 1000 + secs * S, state: { result_state: 'SUCCESS' } },
          { task_key: 'b', start_time: 1000, end_time: 2000, state: { result_state: i === 0 ? 'SUCCESS' : 'FAILED' } },
          { task_key: 'c', start_time: 0, end_time: 0, state: { result_state: 'UPSTREAM_FAILED' } },
        ],
      }),
    );
    const h = taskHistoryFrom(runs);
    expect(h.get('a')).toMatchObject({ median: 11.5 * S, samples: 4 });
    // One slow outlier (30 s) barely moves a MAD-based spread.
    expect(h.get('a')!.spread).toBeLessThan(2 * S);
    expect(h.get('b')).toMatchObject({ median: 1000, samples: 1 });
    expect(h.has('c')).toBe(false);
  });

  it('assumes at least 10% spread from one or two runs, 3% from more', () => {
    expect(durationStats([100 * S])).toMatchObject({ spread: 10 * S, logSpread: 0.1 });
    expect(durationStats([100 * S, 100 * S, 100 * S])).toMatchObject({ spread: 3 * S, logSpread: 0.03 });
    expect(durationStats([])).toBeUndefined();
  });

  it('measures the spread of the logarithms too: a task that takes twice as long now and then is skewed', () => {
    const stats = durationStats([50, 71, 100, 141, 200].map((s) => s * S))!;
    expect(stats.median).toBe(100 * S);
    expect(stats.logSpread).toBeCloseTo(Math.log(1.41) * 1.4826, 2);
  });
});

describe('drawn run ends', () => {
  const h = history({ a: [60 * S, 0.05], b: [30 * S, 0.05], c: [10 * S, 0.05] });
  const draws = (snap: RunSnapshot, now: number, seed = 1) => sampleRunEnds(snap, h, now, seededRandom(seed), 400)!;

  it('a running task ends around its start plus its median; a blocked one after its last dependency', () => {
    const ends = draws(run([task('a', 'RUNNING', { start: 1_000 }), task('b', 'PENDING'), task('c', 'BLOCKED', { dependsOn: ['a', 'b'] })]), 5_000);
    expect(ends).toHaveLength(400);
    expect(ends).toEqual([...ends].sort((x, y) => x - y));
    // a ends near 61 s, b near 35 s; c follows a: 71 s.
    expect(quantileOf(ends, 0.5)).toBeGreaterThan(69 * S);
    expect(quantileOf(ends, 0.5)).toBeLessThan(73 * S);
  });

  it('adds up the uncertainty along a chain', () => {
    const one = draws(run([task('a', 'RUNNING', { start: 0 })]), 0);
    const chain = draws(run([task('a', 'RUNNING', { start: 0 }), task('b', 'BLOCKED', { dependsOn: ['a'] })]), 0);
    const width = (ends: number[]) => quantileOf(ends, 0.9) - quantileOf(ends, 0.1);
    expect(width(chain)).toBeGreaterThan(width(one));
  });

  it('a finished task counts at its real end; a task running late still has time ahead of it', () => {
    const done = draws(run([task('a', 'TERMINATED', { start: 0, end: 50 * S, state: { lifeCycle: 'TERMINATED', result: 'SUCCESS' } }), task('c', 'BLOCKED', { dependsOn: ['a'] })]), 51 * S);
    expect(quantileOf(done, 0.5)).toBeGreaterThan(59 * S);
    expect(quantileOf(done, 0.5)).toBeLessThan(63 * S);
    // a usually takes 60 s; at 100 s it is late, and its end is drawn after now, spread over the next seconds.
    const late = draws(run([task('a', 'RUNNING', { start: 0 })]), 100 * S);
    expect(late[0]).toBeGreaterThanOrEqual(100 * S);
    expect(quantileOf(late, 0.9) - 100 * S).toBeGreaterThan(5 * S);
  });

  it('a history of few runs gives wider draws than the same spread measured over many', () => {
    const few: TaskHistory = new Map([['a', { median: 60 * S, spread: 3 * S, logSpread: 0.05, samples: 3 }]]);
    const many: TaskHistory = new Map([['a', { median: 60 * S, spread: 3 * S, logSpread: 0.05, samples: 10 }]]);
    const width = (hist: TaskHistory) => {
      const ends = sampleRunEnds(run([task('a', 'RUNNING', { start: 0 })]), hist, 0, seededRandom(3), 400)!;
      return quantileOf(ends, 0.95) - quantileOf(ends, 0.05);
    };
    expect(width(few)).toBeGreaterThan(width(many));
  });

  it('gives up on a task it has never seen succeed, and on a run with nothing left to run', () => {
    expect(sampleRunEnds(run([task('new', 'RUNNING', { start: 0 })]), h, 0, Math.random)).toBeUndefined();
    expect(sampleRunEnds(run([task('a', 'RUNNING', { start: 0 }), task('x', 'BLOCKED', { dependsOn: ['new'] }), task('new', 'PENDING')]), h, 0, Math.random)).toBeUndefined();
    expect(sampleRunEnds(run([task('a', 'TERMINATED', { start: 0, end: 5, state: { lifeCycle: 'TERMINATED', result: 'SUCCESS' } })]), h, 10, Math.random)).toBeUndefined();
  });
});

describe('where the next poll goes', () => {
  // 100 draws spread evenly over 100-200 s: a density of 1 % per second.
  const even = Array.from({ length: 100 }, (_, i) => (100 + i + 1) * S);

  it('never leaps past the first likely end, however sparse it may poll', () => {
    expect(nextPoll(even, 0, 1, 1 / 3)).toBe(101 * S);
  });

  it('inside the likely span, waits scale / density^α', () => {
    // At 150 s half the draws remain, a conditional density of 1/50 per s (1/50,000 per ms).
    const ahead = even.filter((e) => e > 150 * S);
    // α = ½: scale = sqrt(2,000 ms) gives a gap of 10 s; α = ⅓: scale = 10,000 / 50,000^⅓.
    expect(nextPoll(ahead, 150 * S, Math.sqrt(2 * S), 1 / 2)).toBeCloseTo(160 * S, -2);
    expect(nextPoll(ahead, 150 * S, (10 * S) / 50_000 ** (1 / 3), 1 / 3)).toBeCloseTo(160 * S, -2);
    // Twice the density (the same draws over half the time): α = ⅓ shortens the gap by 2^⅓, α = ½ by √2.
    const dense = ahead.map((e) => 150 * S + (e - 150 * S) / 2);
    // (The draws lie 500 ms apart, so the poll lands on the draw nearest that.)
    expect(Math.abs(nextPoll(dense, 150 * S, (10 * S) / 50_000 ** (1 / 3), 1 / 3) - 150 * S - (10 * S) / 2 ** (1 / 3))).toBeLessThan(300);
  });
});

describe('predictive schedule', () => {
  const o = { maxGapMs: 30 * S, minStepMs: 1 * S, densityExponent: 1 / 3, minScale: 0, horizonQuantile: 0.99, lateReserve: 4, approachStep: 1 / 3, draws: 256, jitterMs: 0 };
  const h = history({ a: [300 * S, 0.05] });
  const state = (now: number, snapshot: RunSnapshot, requests = 3): PollState => ({ now, startedAt: 0, polls: requests, requests, snapshot });
  const snap = run([task('a', 'RUNNING', { start: 0 })]);
  const schedule = () => predictiveSchedule(h, fixedInterval(7_777), { ...o, random: seededRandom(5) });

  it('waits the longest gap while the run cannot end soon', () => {
    expect(schedule().delay(state(10 * S, snap))).toBe(30 * S);
  });

  it('approaches the likely end in shrinking steps, then polls closely around it', () => {
    const far = schedule().delay(state(200 * S, snap));
    const near = schedule().delay(state(250 * S, snap));
    expect(far).toBeLessThanOrEqual(30 * S);
    expect(near).toBeLessThan(far);
    expect(near).toBeGreaterThan(2 * S);
    expect(schedule().delay(state(300 * S, snap))).toBeLessThanOrEqual(2 * S);
  });

  it('spreads its polls wider when the budget is nearly spent', () => {
    const rich = schedule().delay(state(300 * S, snap, 3));
    const poor = schedule().delay(state(300 * S, snap, 31));
    expect(poor).toBeGreaterThan(rich);
  });

  it('falls back without history, or with a task it cannot predict', () => {
    expect(predictiveSchedule(new Map(), fixedInterval(7_777)).delay(state(10 * S, snap))).toBe(7_777);
    expect(schedule().delay(state(10 * S, run([task('unknown', 'RUNNING', { start: 0 })])))).toBe(7_777);
    expect(schedule().delay({ now: 0, startedAt: 0, polls: 1, requests: 1 })).toBe(7_777);
  });

  it('adds a little jitter so watchers do not poll in step', () => {
    const jittery = predictiveSchedule(h, fixedInterval(7_777), { ...o, random: () => 0.5, jitterMs: 200 });
    expect(jittery.delay(state(10 * S, snap))).toBe(30.1 * S);
  });
});

describe('first runs: the run\'s own finished tasks as its history', () => {
  const ok = { lifeCycle: 'TERMINATED', result: 'SUCCESS' };
  const finished = (key: string, start: number, end: number, dependsOn: string[] = []) => task(key, 'TERMINATED', { state: ok, start, end, dependsOn });
  const chain = (minutes: number) =>
    run([
      finished('a', 0, minutes * 60 * S),
      finished('b', 0, minutes * 40 * S),
      task('c', 'RUNNING', { start: minutes * 60 * S, dependsOn: ['a', 'b'] }),
      task('d', 'BLOCKED', { dependsOn: ['c'] }),
    ]);
  const at = (now: number, snapshot: RunSnapshot, requests = 5): PollState => ({ now, startedAt: 0, polls: requests, requests, snapshot });

  it('takes the finished tasks\' durations, with a spread of at least 0.5 in logs; nothing before a task finished', () => {
    const stats = ownRunStats(chain(2))!;
    expect(stats.median).toBe(100 * S);
    expect(stats.samples).toBe(2);
    expect(stats.logSpread).toBeGreaterThanOrEqual(0.5);
    expect(ownRunStats(run([task('a', 'RUNNING', { start: 0 })]))).toBeUndefined();
  });

  it('predicts from tasks of a minute or more, and leaves shorter ones to the task graph', () => {
    const fallback = fixedInterval(7_777);
    const long = predictiveSchedule(new Map(), fallback, { random: seededRandom(3), jitterMs: 0 });
    // Two tasks of about 2 min each still to run: a prediction (a part of the way to the earliest plausible end).
    const wait = long.delay(at(2 * 60 * S + 10 * S, chain(2)));
    expect(wait).not.toBe(7_777);
    expect(wait).toBeGreaterThan(5 * S);
    const short = predictiveSchedule(new Map(), fallback, { random: seededRandom(3), jitterMs: 0 });
    expect(short.delay(at(30 * S, chain(0.4)))).toBe(7_777);
  });

  it('in the closing stage never waits longer than the task graph alone would', () => {
    const closing = run([finished('a', 0, 120 * S), finished('b', 0, 100 * S), task('c', 'RUNNING', { start: 120 * S, dependsOn: ['a', 'b'] })]);
    const schedule = predictiveSchedule(new Map(), fixedInterval(3 * S), { random: seededRandom(3), jitterMs: 0 });
    for (const now of [121, 150, 200, 300]) expect(schedule.delay(at(now * S, closing))).toBeLessThanOrEqual(3 * S);
  });

  it('in the closing stage polls at most 3 s apart, where the task graph alone would wait longer', () => {
    const closing = run([finished('a', 0, 120 * S), finished('b', 0, 100 * S), task('c', 'RUNNING', { start: 120 * S, dependsOn: ['a', 'b'] })]);
    const schedule = predictiveSchedule(new Map(), fixedInterval(10 * S), { random: seededRandom(3), jitterMs: 0 });
    const waits = [121, 130, 150, 200, 300].map((now) => schedule.delay(at(now * S, closing)));
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(3 * S);
    // Early in the last task the forecast alone would wait longer: the cap is what holds it to 3 s.
    expect(waits[0]).toBe(3 * S);
  });
});

describe('runs whose durations vary, simulated', () => {
  const SHAPE: [string, string[], number][] = [
    ['a', [], 0.25],
    ['b', [], 0.15],
    ['c', ['a', 'b'], 0.3],
    ['d', ['c'], 0.15],
    ['e', ['d'], 0.2],
    ['f', ['e'], 0.1],
  ];
  const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  /** One run: every task's duration log-normal (spread sigma) around its share of `length`. */
  function plan(length: number, sigma: number, random: () => number) {
    const ends = new Map<string, number>();
    return SHAPE.map(([key, deps, share]) => {
      const start = Math.max(0, ...deps.map((d) => ends.get(d)!));
      const end = start + share * length * Math.exp(sigma * gaussian(random));
      ends.set(key, end);
      return { key, deps, start, end };
    });
  }
  function watch(tasks: ReturnType<typeof plan>, schedule: PollSchedule): { delay: number; requests: number; end: number } {
    const end = Math.max(...tasks.map((t) => t.end));
    const s: PollState = { now: 0, startedAt: 0, polls: 0, requests: 0 };
    for (;;) {
      s.polls += 1;
      s.requests += 1;
      s.snapshot = run(
        tasks.map((t) =>
          s.now >= t.end
            ? task(t.key, 'TERMINATED', { start: t.start, end: t.end, dependsOn: t.deps, state: { lifeCycle: 'TERMINATED', result: 'SUCCESS' } })
            : s.now >= t.start
              ? task(t.key, 'RUNNING', { start: t.start, dependsOn: t.deps })
              : task(t.key, 'BLOCKED', { dependsOn: t.deps }),
        ),
      );
      if (s.now >= end) return { delay: s.now - end, requests: s.requests, end };
      s.now += schedule.delay(s);
    }
  }

  it('first runs, σ = 0.5, 10 minutes: from their own tasks alone, a median delay well under the waiter\'s (below 0.6 of it), 90th percentile under 5 s, within the budget', () => {
    const random = seededRandom(1);
    const ours: number[] = [];
    const waiter: number[] = [];
    for (let i = 0; i < 40; i++) {
      const tasks = plan(10 * 60 * S, 0.5, random);
      const watched = watch(tasks, withBaselineBudget(predictiveSchedule(new Map(), stagedBackoff({ random }), { random })));
      expect(watched.requests).toBeLessThanOrEqual(baselineCount(watched.end + watched.delay));
      ours.push(watched.delay);
      waiter.push(watch(tasks, linearBackoff(random)).delay);
    }
    expect(quantileOf(ours, 0.5)).toBeLessThan(0.6 * quantileOf(waiter, 0.5));
    expect(quantileOf(ours, 0.9)).toBeLessThan(5 * S);
  });

  it('first runs of 10 and 30 minutes, σ = 0.3: the closing stage spends what the waiting stage saved, a median delay under 1.8 s, 90th percentile under 5 s, within the budget', () => {
    const random = seededRandom(2);
    for (const minutes of [10, 30]) {
      const ours: number[] = [];
      for (let i = 0; i < 30; i++) {
        const tasks = plan(minutes * 60 * S, 0.3, random);
        const watched = watch(tasks, withBaselineBudget(predictiveSchedule(new Map(), stagedBackoff({ random }), { random })));
        expect(watched.requests).toBeLessThanOrEqual(baselineCount(watched.end + watched.delay));
        ours.push(watched.delay);
      }
      expect(quantileOf(ours, 0.5)).toBeLessThan(1.8 * S);
      expect(quantileOf(ours, 0.9)).toBeLessThan(5 * S);
    }
  });

  it('σ = 0.5 of the mean: median delay under 2 s, 90th percentile under 5 s, within the waiter\'s budget', () => {
    const random = seededRandom(21);
    const length = 10 * 60 * S;
    const earlier = Array.from({ length: 10 }, () => plan(length, 0.5, random));
    const hist = taskHistoryFrom(
      earlier.map((tasks, i): BaseRun => ({ run_id: i, tasks: tasks.map((t) => ({ task_key: t.key, start_time: t.start + 1, end_time: t.end + 1, state: { result_state: 'SUCCESS' } })) })),
    );
    const delays: number[] = [];
    for (let i = 0; i < 30; i++) {
      const watched = watch(plan(length, 0.5, random), withBaselineBudget(predictiveSchedule(hist, fixedInterval(10 * S), { random })));
      expect(watched.requests).toBeLessThanOrEqual(baselineCount(watched.end + watched.delay));
      delays.push(watched.delay);
    }
    expect(quantileOf(delays, 0.5)).toBeLessThan(2 * S);
    expect(quantileOf(delays, 0.9)).toBeLessThan(5 * S);
  });
});
