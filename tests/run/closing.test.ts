// Polling a run with no history by its task graph: which stage the run is in, how long to wait in each, and
// (simulated, without HTTP) that a first run's end is noticed sooner than by the SDK waiter, with no more
// requests, for several job shapes.
import { describe, expect, it } from 'vitest';
import { closingSince, stagedBackoff, typicalTaskMs } from '../../src/run/closing.ts';
import { baselineCount, linearBackoff, withBaselineBudget, type PollSchedule, type PollState } from '../../src/run/schedule.ts';
import type { RunSnapshot, TaskSnapshot } from '../../src/run/snapshot.ts';
import { seededRandom } from './helpers.ts';

const S = 1000;
const done = (key: string, start: number, end: number, dependsOn: string[] = []): TaskSnapshot => ({
  key,
  state: { lifeCycle: 'TERMINATED', result: 'SUCCESS' },
  start,
  end,
  attempt: 0,
  dependsOn,
});
const running = (key: string, start: number, dependsOn: string[] = []): TaskSnapshot => ({ key, state: { lifeCycle: 'RUNNING' }, start, attempt: 0, dependsOn });
const blocked = (key: string, dependsOn: string[]): TaskSnapshot => ({ key, state: { lifeCycle: 'BLOCKED' }, attempt: 0, dependsOn });
const run = (tasks: TaskSnapshot[]): RunSnapshot => ({ runId: '1', state: { lifeCycle: 'RUNNING' }, start: 0, tasks, repairIds: [] });

describe('stages of a run', () => {
  it('is not closing while a task waits for an unfinished one', () => {
    expect(closingSince(run([running('a', 0), blocked('b', ['a'])]), 5 * S)).toBeUndefined();
  });

  it('is closing once nothing waits, since the last task end (or the run\'s start)', () => {
    expect(closingSince(run([running('a', 0), running('b', 0)]), 5 * S)).toBe(0);
    expect(closingSince(run([done('a', 0, 30 * S), done('b', 0, 20 * S), running('c', 30 * S, ['a', 'b'])]), 40 * S)).toBe(30 * S);
    // A task whose dependencies all ended may start later; it does not wait for anything unfinished.
    expect(closingSince(run([done('a', 0, 30 * S), blocked('c', ['a'])]), 31 * S)).toBe(30 * S);
  });

  it('takes the median duration of the tasks this run finished', () => {
    expect(typicalTaskMs(run([running('a', 0)]))).toBe(0);
    expect(typicalTaskMs(run([done('a', 0, 10 * S), done('b', 0, 40 * S), done('c', 40 * S, 60 * S), running('d', 60 * S)]))).toBe(20 * S);
  });
});

describe('the staged schedule', () => {
  const schedule = stagedBackoff({ random: () => 0 });
  const state = (now: number, snapshot: RunSnapshot, requests: number): PollState => ({ now, startedAt: 0, polls: requests, requests, snapshot });
  const waiting = run([running('a', 0), blocked('b', ['a'])]);

  it('while a task waits, backs off in 4 s steps to 12 s (sparser than the waiter\'s 10 s), and to 15 s over a long run', () => {
    expect([1, 2, 3, 5, 8].map((polls) => schedule.delay(state(polls * S, waiting, polls)))).toEqual([4, 8, 12, 12, 12].map((s) => s * S));
    expect(schedule.delay(state(250 * S, waiting, 20))).toBe(12.5 * S);
    expect(schedule.delay(state(900 * S, waiting, 60))).toBe(15 * S);
  });

  it('in the closing stage spreads what it saved over a typical task of the run', () => {
    // Tasks of 60, 60 and 180 s; the last one started 5 s ago. By 305 s the baseline made 34 requests, this watcher 20.
    const closing = run([done('a', 0, 60 * S), done('b', 60 * S, 120 * S, ['a']), done('c', 120 * S, 300 * S, ['b']), running('d', 300 * S, ['c'])]);
    expect(baselineCount(305 * S)).toBe(34);
    const spread = (60 * S) / (14 + 60 / 10.4);
    expect(schedule.delay(state(305 * S, closing, 20))).toBeCloseTo(spread, 6);
    // More saved: closer; nothing saved: as far as 4 s (the budget then holds it to the waiter's pace).
    expect(schedule.delay(state(305 * S, closing, 10))).toBeLessThan(spread);
    expect(schedule.delay(state(305 * S, closing, 34))).toBe(4 * S);
    // Tasks of 24 s and nothing saved: no further apart than an eighth of such a task (3 s), not 4 s.
    const short = run([done('a', 0, 24 * S), done('b', 24 * S, 48 * S, ['a']), running('c', 48 * S, ['b'])]);
    expect(schedule.delay(state(50 * S, short, baselineCount(50 * S)))).toBe(3 * S);
    // Short tasks and much saved: never closer than 1 s.
    const quick = run([done('a', 285 * S, 295 * S), running('b', 295 * S, ['a'])]);
    expect(schedule.delay(state(300 * S, quick, 5))).toBe(1 * S);
  });

  it('a run that starts in its closing stage (one task) gets a finite wait at once', () => {
    const budgeted = withBaselineBudget(stagedBackoff({ random: () => 0.5 }));
    const delay = budgeted.delay({ now: 0, startedAt: 0, polls: 1, requests: 1, snapshot: run([running('a', 0)]) });
    expect(Number.isFinite(delay)).toBe(true);
    expect(delay).toBe(1.5 * S);
  });

  it('adds up to 10% jitter', () => {
    const jittery = stagedBackoff({ random: () => 0.5 });
    expect(jittery.delay(state(900 * S, waiting, 60))).toBe(15.75 * S);
  });
});

describe('first runs, simulated', () => {
  interface Planned {
    key: string;
    deps: string[];
    start: number;
    end: number;
  }
  /** Tasks of the given shares of `length`, each varied by up to ±15%, started when their dependencies end. */
  function plan(shape: [string, string[], number][], length: number, random: () => number): Planned[] {
    const ends = new Map<string, number>();
    return shape.map(([key, deps, share]) => {
      const start = Math.max(0, ...deps.map((d) => ends.get(d)!));
      const end = start + share * length * (0.85 + 0.3 * random());
      ends.set(key, end);
      return { key, deps, start, end };
    });
  }
  function snapshotAt(tasks: Planned[], now: number): RunSnapshot {
    const end = Math.max(...tasks.map((t) => t.end));
    return {
      runId: '1',
      state: now >= end ? { lifeCycle: 'TERMINATED', result: 'SUCCESS' } : { lifeCycle: 'RUNNING' },
      start: 0,
      tasks: tasks.map((t) => (now >= t.end ? done(t.key, t.start, t.end, t.deps) : now >= t.start ? running(t.key, t.start, t.deps) : blocked(t.key, t.deps))),
      repairIds: [],
    };
  }
  /** Polls as watchRun does (the first at once); returns the delay after the run's end and the requests made. */
  function watch(tasks: Planned[], schedule: PollSchedule): { delay: number; requests: number; end: number } {
    const end = Math.max(...tasks.map((t) => t.end));
    const s: PollState = { now: 0, startedAt: 0, polls: 0, requests: 0 };
    for (;;) {
      s.polls += 1;
      s.requests += 1;
      s.snapshot = snapshotAt(tasks, s.now);
      if (s.now >= end) return { delay: s.now - end, requests: s.requests, end };
      s.now += schedule.delay(s);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  const shapes: Record<string, [string, string[], number][]> = {
    workflow: [
      ['a', [], 0.25],
      ['b', [], 0.15],
      ['c', ['a', 'b'], 0.3],
      ['d', ['c'], 0.15],
      ['e', ['d'], 0.2],
      ['f', ['e'], 0.1],
    ],
    'chain with a tiny last task': [
      ['a', [], 0.5],
      ['b', ['a'], 0.49],
      ['c', ['b'], 0.01],
    ],
    'one task': [['a', [], 1]],
  };

  for (const [name, shape] of Object.entries(shapes)) {
    it(`${name}: no later than the waiter, with no more requests`, () => {
      const random = seededRandom(11);
      const ours: number[] = [];
      const theirs: number[] = [];
      for (const minutes of [2, 10, 30]) {
        for (let i = 0; i < 40; i++) {
          const tasks = plan(shape, minutes * 60 * S, random);
          const staged = watch(tasks, withBaselineBudget(stagedBackoff({ random })));
          expect(staged.requests).toBeLessThanOrEqual(baselineCount(staged.end + staged.delay));
          ours.push(staged.delay);
          theirs.push(watch(tasks, linearBackoff(random)).delay);
        }
      }
      // The waiter's median is about 5 s whatever the shape; with tasks that wait for others, ours is about 2 s.
      expect(median(ours)).toBeLessThanOrEqual(median(theirs) + 500);
      if (name === 'workflow') expect(median(ours)).toBeLessThan(3 * S);
    });
  }

  it('a 2-minute workflow: the waiting stage saves enough requests for the closing stage to notice the end within 2 s (median)', () => {
    const random = seededRandom(5);
    const delays: number[] = [];
    for (let i = 0; i < 60; i++) {
      const tasks = plan(shapes['workflow']!, 120 * S, random);
      const staged = watch(tasks, withBaselineBudget(stagedBackoff({ random })));
      expect(staged.requests).toBeLessThanOrEqual(baselineCount(staged.end + staged.delay));
      // Fewer requests than the waiter makes in the time the run took.
      expect(staged.requests).toBeLessThan(baselineCount(staged.end));
      delays.push(staged.delay);
    }
    const sorted = [...delays].sort((a, b) => a - b);
    expect(median(delays)).toBeLessThanOrEqual(2 * S);
    expect(sorted[Math.ceil(0.9 * sorted.length) - 1]).toBeLessThanOrEqual(5 * S);
  });
});
