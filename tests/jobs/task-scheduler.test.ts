import { describe, expect, it } from 'vitest';
import { decideRunIf } from '../../src/jobs/run-if.ts';
import { type SchedulableTask, type Step, TaskScheduler, selectTasks } from '../../src/jobs/task-scheduler.ts';

const task = (task_key: string, deps: string[] = [], extra: Partial<SchedulableTask> = {}): SchedulableTask => ({
  task_key,
  ...(deps.length ? { depends_on: deps.map((d) => ({ task_key: d })) } : {}),
  ...extra,
});
const brief = (steps: Step[]) =>
  steps.map((s) => (s.kind === 'start' ? `${s.at} start ${s.key}#${s.attempt}` : s.kind === 'skip' ? `${s.at} skip ${s.key} ${s.result}` : `${s.at} end ${s.key}#${s.attempt} ${s.result}${s.retryAt !== undefined ? ` retry@${s.retryAt}` : ''}`));

describe('run_if', () => {
  it('follows the documented conditions and the marks of unmet ones', () => {
    expect(decideRunIf(undefined, ['SUCCESS', 'EXCLUDED'])).toEqual({ run: true });
    expect(decideRunIf('ALL_SUCCESS', ['SUCCESS', 'FAILED'])).toMatchObject({ run: false, result: 'UPSTREAM_FAILED' });
    expect(decideRunIf('AT_LEAST_ONE_SUCCESS', ['SUCCESS', 'FAILED'])).toEqual({ run: true });
    // NONE_FAILED: no dependency failed and at least one ran.
    expect(decideRunIf('NONE_FAILED', ['SUCCESS', 'EXCLUDED'])).toEqual({ run: true });
    expect(decideRunIf('NONE_FAILED', ['SUCCESS', 'UPSTREAM_FAILED'])).toMatchObject({ run: false, result: 'UPSTREAM_FAILED' });
    expect(decideRunIf('NONE_FAILED', ['SUCCESS', 'TIMEDOUT'])).toMatchObject({ run: false, result: 'UPSTREAM_FAILED' });
    expect(decideRunIf('ALL_DONE', ['FAILED', 'CANCELED'])).toEqual({ run: true });
    expect(decideRunIf('AT_LEAST_ONE_FAILED', ['SUCCESS'])).toMatchObject({ run: false, result: 'EXCLUDED' });
    expect(decideRunIf('AT_LEAST_ONE_FAILED', ['SUCCESS', 'CANCELED'])).toEqual({ run: true });
    expect(decideRunIf('ALL_FAILED', ['FAILED', 'TIMEDOUT'])).toEqual({ run: true });
    expect(decideRunIf('ALL_FAILED', ['FAILED', 'SUCCESS'])).toMatchObject({ run: false, result: 'EXCLUDED' });
    // A task whose dependencies were all excluded is excluded, whatever its condition.
    expect(decideRunIf('ALL_DONE', ['EXCLUDED'])).toMatchObject({ run: false, result: 'EXCLUDED' });
    expect(decideRunIf('ALL_SUCCESS', ['SUCCESS', 'CANCELED'])).toMatchObject({ run: false, result: 'UPSTREAM_CANCELED' });
  });
});

describe('task scheduler', () => {
  it('starts tasks when their dependencies end and skips by run_if', () => {
    const s = new TaskScheduler([task('a'), task('b'), task('c', ['a', 'b']), task('d', ['c']), task('on_fail', ['c'], { run_if: 'AT_LEAST_ONE_FAILED' })], 0);
    expect(brief(s.advance(0))).toEqual(['0 start a#0', '0 start b#0']);
    expect(brief(s.finish('a', 0, 'SUCCESS', 5))).toEqual(['5 end a#0 SUCCESS']);
    expect(brief(s.finish('b', 0, 'SUCCESS', 7))).toEqual(['7 end b#0 SUCCESS', '7 start c#0']);
    expect(brief(s.finish('c', 0, 'SUCCESS', 9))).toEqual(['9 end c#0 SUCCESS', '9 skip on_fail EXCLUDED', '9 start d#0']);
    s.finish('d', 0, 'SUCCESS', 10);
    expect(s.done).toBe(true);
    expect(Object.fromEntries(s.results())).toEqual({ a: 'SUCCESS', b: 'SUCCESS', c: 'SUCCESS', d: 'SUCCESS', on_fail: 'EXCLUDED' });
  });

  it("ends the run at the job's timeout: running attempts TIMEDOUT without their retries, waiting tasks cancelled", () => {
    const s = new TaskScheduler([task('a', [], { max_retries: 3, retry_on_timeout: true }), task('b'), task('c', ['a'])], 0, { runDeadline: 10_000, parallelism: 1 });
    expect(brief(s.advance(0))).toEqual(['0 start a#0']);
    expect(s.wakeAt()).toBe(10_000);
    expect(brief(s.advance(9_999))).toEqual([]);
    expect(brief(s.advance(10_000))).toEqual(['10000 end a#0 TIMEDOUT', '10000 skip b CANCELED', '10000 skip c CANCELED']);
    expect(s.timedOut).toBe(true);
    expect(s.done).toBe(true);
    expect(s.wakeAt()).toBeUndefined();
    // The attempt's late report changes nothing.
    expect(brief(s.finish('a', 0, 'SUCCESS', 10_500))).toEqual([]);
    expect(Object.fromEntries(s.results())).toEqual({ a: 'TIMEDOUT', b: 'CANCELED', c: 'CANCELED' });
  });

  it('does not time out a run that ends before its deadline', () => {
    const s = new TaskScheduler([task('a')], 0, { runDeadline: 10_000 });
    s.advance(0);
    s.finish('a', 0, 'SUCCESS', 5_000);
    expect(s.done).toBe(true);
    expect(brief(s.advance(20_000))).toEqual([]);
    expect(s.timedOut).toBe(false);
  });

  it('retries a failed task max_retries times, min_retry_interval_millis apart, and fails dependents only at the end', () => {
    const s = new TaskScheduler([task('a', [], { max_retries: 2, min_retry_interval_millis: 1000 }), task('b', ['a'])], 0);
    s.advance(0);
    expect(brief(s.finish('a', 0, 'FAILED', 100))).toEqual(['100 end a#0 FAILED retry@1100']);
    expect(s.wakeAt()).toBe(1100);
    expect(brief(s.advance(1099))).toEqual([]);
    expect(brief(s.advance(1100))).toEqual(['1100 start a#1']);
    s.finish('a', 1, 'FAILED', 1200);
    expect(brief(s.advance(5000))).toEqual(['2200 start a#2']);
    expect(brief(s.finish('a', 2, 'FAILED', 5000))).toEqual(['5000 end a#2 FAILED', '5000 skip b UPSTREAM_FAILED']);
    expect(s.done).toBe(true);
  });

  it('ends an attempt at timeout_seconds, retries it only with retry_on_timeout, and ignores its late report', () => {
    const s = new TaskScheduler([task('a', [], { timeout_seconds: 2, max_retries: 1 }), task('b', [], { timeout_seconds: 2, max_retries: 1, retry_on_timeout: true })], 0);
    s.advance(0);
    expect(s.wakeAt()).toBe(2000);
    expect(brief(s.advance(2500))).toEqual(['2000 end a#0 TIMEDOUT', '2000 end b#0 TIMEDOUT retry@2000', '2000 start b#1']);
    expect(brief(s.finish('a', 0, 'SUCCESS', 2600))).toEqual([]);
    s.finish('b', 1, 'SUCCESS', 3000);
    expect(Object.fromEntries(s.results())).toEqual({ a: 'TIMEDOUT', b: 'SUCCESS' });
  });

  it('holds ready tasks beyond the parallelism bound', () => {
    const s = new TaskScheduler([task('a'), task('b'), task('c')], 0, { parallelism: 2 });
    expect(brief(s.advance(0))).toEqual(['0 start a#0', '0 start b#0']);
    expect(brief(s.finish('b', 0, 'SUCCESS', 3))).toEqual(['3 end b#0 SUCCESS', '3 start c#0']);
  });

  it('cancels: running attempts end CANCELED, the rest is skipped', () => {
    const s = new TaskScheduler([task('a'), task('b', ['a'])], 0);
    s.advance(0);
    expect(brief(s.cancel(50))).toEqual(['50 end a#0 CANCELED', '50 skip b CANCELED']);
    expect(s.done).toBe(true);
  });

  it('repairs: tasks not rerun count with their known results, attempt numbers continue', () => {
    const s = new TaskScheduler([task('b', ['a'], { max_retries: 1 }), task('c', ['b'])], 100, { known: new Map([['a', 'SUCCESS']]), firstAttempt: () => 1 });
    expect(brief(s.advance(100))).toEqual(['100 start b#1']);
    expect(brief(s.finish('b', 1, 'FAILED', 110))).toEqual(['110 end b#1 FAILED retry@110', '110 start b#2']);
  });

  it('selects `only` tasks, with their dependents when asked', () => {
    const tasks = [task('a'), task('b', ['a']), task('c', ['b']), task('x')];
    expect(selectTasks(tasks, ['b']).map((t) => t.task_key)).toEqual(['b']);
    expect(selectTasks(tasks, ['b'], true).map((t) => t.task_key)).toEqual(['b', 'c']);
    expect(() => selectTasks(tasks, ['nope'])).toThrow(/no task "nope"/);
    // A dependency outside the selection does not hold the task back.
    const s = new TaskScheduler(selectTasks(tasks, ['b']), 0);
    expect(brief(s.advance(0))).toEqual(['0 start b#0']);
  });
});
