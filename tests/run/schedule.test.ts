// Poll schedules: the SDK waiter's linear backoff, the budget that keeps any schedule at or below it, task
// history and end predictions, and the predictive schedule that polls closely only around predicted ends.
import { describe, expect, it } from 'vitest';
import { durationStats, taskHistoryFrom, type TaskHistory } from '../../src/run/history.ts';
import { predictEnds } from '../../src/run/predict.ts';
import { baselineCount, baselinePollAt, fixedInterval, linearBackoff, predictiveSchedule, withBaselineBudget, type PollState } from '../../src/run/schedule.ts';
import type { RunSnapshot, TaskSnapshot } from '../../src/run/snapshot.ts';
import type { BaseRun } from '../../src/workspace/index.ts';

const S = 1000;

function task(key: string, lifeCycle: string, extra: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return { key, state: { lifeCycle }, attempt: 0, dependsOn: [], ...extra };
}

function run(tasks: TaskSnapshot[]): RunSnapshot {
  return { runId: '1', state: { lifeCycle: 'RUNNING' }, tasks, repairIds: [] };
}

const history = (entries: Record<string, [number, number]>): TaskHistory =>
  new Map(Object.entries(entries).map(([k, [median, spread]]) => [k, { median, spread, samples: 5 }]));

describe('baselines', () => {
  it('backs off linearly from 1 s to 10 s with up to 1 s of jitter, like the SDK waiter', () => {
    const delays = (random: number) => [1, 2, 3, 9, 10, 11, 50].map((polls) => linearBackoff(() => random).delay({ now: 0, startedAt: 0, polls, requests: polls }));
    expect(delays(0)).toEqual([1, 2, 3, 9, 10, 10, 10].map((s) => s * S));
    expect(delays(0.999).map((d) => Math.floor(d / 10))).toEqual([199, 299, 399, 999, 1099, 1099, 1099]);
  });

  it('a fixed interval is fixed', () => {
    expect(fixedInterval(10 * S).delay({ now: 5, startedAt: 0, polls: 7, requests: 7 })).toBe(10 * S);
  });

  it('knows when the baseline makes its n-th request', () => {
    expect(baselinePollAt(0)).toBe(0);
    expect(baselinePollAt(1)).toBe(1.5 * S);
    expect(baselinePollAt(10)).toBe(60 * S);
    expect(baselinePollAt(12)).toBe(81 * S);
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
    expect(durationStats([100 * S])!.spread).toBe(10 * S);
    expect(durationStats([100 * S, 100 * S, 100 * S])!.spread).toBe(3 * S);
    expect(durationStats([])).toBeUndefined();
  });
});

describe('predicted ends', () => {
  const h = history({ a: [60 * S, 3 * S], b: [30 * S, 4 * S], c: [10 * S, 0] });

  it('a running task ends around its start plus its median; a blocked one after its last dependency', () => {
    const snap = run([task('a', 'RUNNING', { start: 1_000 }), task('b', 'PENDING'), task('c', 'BLOCKED', { dependsOn: ['a', 'b'] })]);
    const p = predictEnds(snap, h, 5_000)!;
    expect(p.tasks).toEqual([
      { key: 'a', at: 61_000, spread: 3 * S },
      { key: 'b', at: 35_000, spread: 4 * S },
      { key: 'c', at: 71_000, spread: 3 * S },
    ]);
    expect(p.run.key).toBe('c');
  });

  it('adds up the uncertainty along a chain', () => {
    const snap = run([task('b', 'RUNNING', { start: 0 }), task('a', 'BLOCKED', { dependsOn: ['b'] })]);
    const p = predictEnds(snap, h, 0)!;
    expect(p.run).toEqual({ key: 'a', at: 90_000, spread: 5 * S });
  });

  it('a finished dependency counts at its real end; a late one pushes its dependents to now', () => {
    const late = run([task('a', 'RUNNING', { start: 0 }), task('c', 'BLOCKED', { dependsOn: ['a'] })]);
    expect(predictEnds(late, h, 100_000)!.tasks).toEqual([
      { key: 'a', at: 60_000, spread: 3 * S },
      { key: 'c', at: 110_000, spread: 0 },
    ]);
    const done = run([task('a', 'TERMINATED', { start: 0, end: 50_000, state: { lifeCycle: 'TERMINATED', result: 'SUCCESS' } }), task('c', 'BLOCKED', { dependsOn: ['a'] })]);
    expect(predictEnds(done, h, 51_000)!.run).toEqual({ key: 'c', at: 61_000, spread: 0 });
  });

  it('gives up on a task it has never seen succeed', () => {
    expect(predictEnds(run([task('new', 'RUNNING', { start: 0 })]), h, 0)).toBeUndefined();
    expect(predictEnds(run([task('a', 'RUNNING', { start: 0 }), task('x', 'BLOCKED', { dependsOn: ['new'] }), task('new', 'PENDING')]), h, 0)).toBeUndefined();
  });
});

describe('predictive schedule', () => {
  const h = history({ a: [300 * S, 5 * S] });
  const o = { maxGapMs: 45 * S, runEndStepMs: 1 * S, taskEndStepMs: 5 * S, windowSigmas: 1.5, minHalfWindowMs: 1.5 * S, earlyBandSigmas: 1, earlyStepFactor: 4, lateFactor: 0.25, jitterMs: 0 };
  const state = (now: number, snapshot: RunSnapshot, requests = 3): PollState => ({ now, startedAt: 0, polls: requests, requests, snapshot });
  const snap = run([task('a', 'RUNNING', { start: 0 })]);
  const schedule = predictiveSchedule(h, fixedInterval(7_777), { ...o, random: () => 0 });
  // The run's end: 300 s ± 1.5 × 5 s, with a 5 s early band before that.

  it('waits long while nothing is expected, at most the longest gap', () => {
    expect(schedule.delay(state(10 * S, snap))).toBe(45 * S);
    expect(schedule.delay(state(280 * S, snap))).toBe(287_500 - 280_000);
  });

  it('polls a little before the window, in case the run ends early', () => {
    expect(schedule.delay(state(288 * S, snap))).toBe(4 * S);
    expect(schedule.delay(state(291 * S, snap))).toBe(1_500);
  });

  it('polls every second around the run\'s predicted end', () => {
    expect(schedule.delay(state(293 * S, snap))).toBe(1 * S);
    expect(schedule.delay(state(307 * S, snap))).toBe(1 * S);
  });

  it('backs off in proportion to how late the end is, up to 10 s', () => {
    expect(schedule.delay(state(320 * S, snap))).toBe(0.25 * (320_000 - 307_500));
    expect(schedule.delay(state(900 * S, snap))).toBe(10 * S);
  });

  const two = run([task('a', 'RUNNING', { start: 0 }), task('b', 'RUNNING', { start: 0 })]);
  const both = predictiveSchedule(history({ a: [300 * S, 5 * S], b: [100 * S, 5 * S] }), fixedInterval(7_777), { ...o, random: () => 0 });

  it('looks less closely around other tasks\' ends', () => {
    expect(both.delay(state(100 * S, two))).toBe(5 * S);
  });

  it('keeps the requests the run\'s end needs: with the budget nearly spent, it waits for the run\'s end only', () => {
    // By 307.5 s the baseline makes 34 requests; the run's end needs 15 in its window, 2 before, 4 spare for lateness.
    expect(both.delay(state(100 * S, two, 12))).toBe(5 * S);
    expect(both.delay(state(100 * S, two, 14))).toBe(287_500 - 100_000);
  });

  it('falls back to the baseline without history, or with a task it cannot predict', () => {
    expect(predictiveSchedule(new Map(), fixedInterval(7_777)).delay(state(10 * S, snap))).toBe(7_777);
    expect(schedule.delay(state(10 * S, run([task('unknown', 'RUNNING', { start: 0 })])))).toBe(7_777);
    expect(schedule.delay({ now: 0, startedAt: 0, polls: 1, requests: 1 })).toBe(7_777);
  });

  it('adds a little jitter so watchers do not poll in step', () => {
    const jittery = predictiveSchedule(h, fixedInterval(7_777), { ...o, random: () => 0.5, jitterMs: 200 });
    expect(jittery.delay(state(297 * S, snap))).toBe(1_100);
  });

  it('counts requests the way the baseline makes them', () => {
    expect(baselineCount(0)).toBe(1);
    expect(baselineCount(1_499)).toBe(1);
    expect(baselineCount(1_500)).toBe(2);
    expect(baselineCount(60 * S)).toBe(11);
  });
});
