import { describe, expect, it } from 'vitest';
import { recordingSink } from '../../src/events/types.ts';
import { runJobTasks, shouldRun } from '../../src/local/job-runner.ts';
import type { TaskSettings } from '../../src/model/types.ts';

const task = (task_key: string, deps: string[] = [], extra: Record<string, unknown> = {}): TaskSettings => ({
  task_key,
  ...(deps.length ? { depends_on: deps.map((d) => ({ task_key: d })) } : {}),
  ...extra,
});

describe('local job runner', () => {
  it('runs independent tasks in parallel and dependents after them', async () => {
    const log: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const outcomes = await runJobTasks({
      runId: 'r1',
      tasks: [task('a'), task('b'), task('c', ['a', 'b']), task('d', ['c'])],
      sink: recordingSink(),
      execute: async (t) => {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        log.push(`start ${t.task_key}`);
        await new Promise((r) => setTimeout(r, 20));
        log.push(`end ${t.task_key}`);
        concurrent -= 1;
      },
    });
    expect(maxConcurrent).toBe(2);
    expect(log.indexOf('start c')).toBeGreaterThan(log.indexOf('end a'));
    expect(log.indexOf('start c')).toBeGreaterThan(log.indexOf('end b'));
    expect(log.at(-1)).toBe('end d');
    expect(outcomes.map((o) => o.result)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
  });

  it('marks dependents of a failed task UPSTREAM_FAILED and runs ALL_DONE tasks anyway', async () => {
    const sink = recordingSink();
    const ran: string[] = [];
    const outcomes = await runJobTasks({
      runId: 'r2',
      tasks: [task('a'), task('b', ['a']), task('c', ['b']), task('cleanup', ['a'], { run_if: 'ALL_DONE' })],
      sink,
      execute: async (t) => {
        ran.push(t.task_key);
        if (t.task_key === 'a') throw new Error('boom in a');
      },
    });
    expect(ran.sort()).toEqual(['a', 'cleanup']);
    const byKey = Object.fromEntries(outcomes.map((o) => [o.task_key, o]));
    expect(byKey['a']).toMatchObject({ result: 'FAILED', error: 'boom in a' });
    expect(byKey['b']!.result).toBe('UPSTREAM_FAILED');
    expect(byKey['c']!.result).toBe('UPSTREAM_FAILED');
    expect(byKey['cleanup']!.result).toBe('SUCCESS');
    const skipped = sink.events.filter((e) => e.code === 'task.state' && e.data.state === 'SKIPPED');
    expect(skipped.map((e) => (e.data as { task_key: string }).task_key).sort()).toEqual(['b', 'c']);
  });

  it('respects the parallelism bound', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    await runJobTasks({
      runId: 'r3',
      parallelism: 1,
      tasks: [task('a'), task('b'), task('c')],
      sink: recordingSink(),
      execute: async () => {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 5));
        concurrent -= 1;
      },
    });
    expect(maxConcurrent).toBe(1);
  });

  it('implements run_if conditions', () => {
    expect(shouldRun('ALL_SUCCESS', ['SUCCESS', 'FAILED'])).toBe(false);
    expect(shouldRun('AT_LEAST_ONE_SUCCESS', ['SUCCESS', 'FAILED'])).toBe(true);
    expect(shouldRun('NONE_FAILED', ['SUCCESS', 'EXCLUDED'])).toBe(true);
    expect(shouldRun('NONE_FAILED', ['UPSTREAM_FAILED'])).toBe(false);
    expect(shouldRun('ALL_FAILED', ['FAILED', 'FAILED'])).toBe(true);
    expect(shouldRun('AT_LEAST_ONE_FAILED', ['SUCCESS'])).toBe(false);
  });
});
