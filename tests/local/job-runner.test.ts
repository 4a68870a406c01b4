import { describe, expect, it } from 'vitest';
import { recordingSink } from '../../src/events/types.ts';
import { runJobTasks } from '../../src/local/job-runner.ts';
import type { TaskSettings } from '../../src/model/types.ts';
import { ManualTimer, settle } from '../jobs/manual-timer.ts';

const task = (task_key: string, deps: string[] = [], extra: Record<string, unknown> = {}): TaskSettings => ({
  task_key,
  ...(deps.length ? { depends_on: deps.map((d) => ({ task_key: d })) } : {}),
  ...extra,
});

/** Lets a test decide when each started task ends. */
function gate() {
  const open = new Map<string, () => void>();
  return {
    wait: (key: string) => new Promise<void>((resolve) => open.set(key, resolve)),
    release: async (key: string) => {
      await settle();
      open.get(key)!();
      open.delete(key);
      await settle();
    },
    running: () => [...open.keys()].sort(),
  };
}

describe('local job runner', () => {
  it('runs independent tasks in parallel and dependents after them', async () => {
    const g = gate();
    const done = runJobTasks({ runId: 'r1', tasks: [task('a'), task('b'), task('c', ['a', 'b']), task('d', ['c'])], sink: recordingSink(), execute: (t) => g.wait(t.task_key) });
    await settle();
    expect(g.running()).toEqual(['a', 'b']);
    await g.release('a');
    expect(g.running()).toEqual(['b']);
    await g.release('b');
    expect(g.running()).toEqual(['c']);
    await g.release('c');
    await g.release('d');
    expect((await done).map((o) => o.result)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
  });

  it('marks dependents of a failed task UPSTREAM_FAILED and runs ALL_DONE tasks anyway', async () => {
    const sink = recordingSink();
    const ran: string[] = [];
    const outcomes = await runJobTasks({
      runId: 'r2',
      tasks: [task('a'), task('b', ['a']), task('c', ['b']), task('cleanup', ['a'], { run_if: 'ALL_DONE' }), task('tidy', ['a', 'cleanup'], { run_if: 'NONE_FAILED' })],
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
    expect(byKey['tidy']!.result).toBe('UPSTREAM_FAILED');
    const skipped = sink.events.filter((e) => e.code === 'task.state' && e.data.state === 'SKIPPED');
    expect(skipped.map((e) => (e.data as { task_key: string }).task_key).sort()).toEqual(['b', 'c', 'tidy']);
  });

  it('respects the parallelism bound', async () => {
    const g = gate();
    const done = runJobTasks({ runId: 'r3', parallelism: 1, tasks: [task('a'), task('b'), task('c')], sink: recordingSink(), execute: (t) => g.wait(t.task_key) });
    await settle();
    expect(g.running()).toEqual(['a']);
    await g.release('a');
    expect(g.running()).toEqual(['b']);
    await g.release('b');
    await g.release('c');
    await done;
  });

  it('retries per max_retries after min_retry_interval_millis, on the injected timer', async () => {
    const timer = new ManualTimer(1_000);
    const sink = recordingSink();
    let calls = 0;
    const done = runJobTasks({
      runId: 'r4',
      timer,
      tasks: [task('flaky', [], { max_retries: 2, min_retry_interval_millis: 60_000 }), task('after', ['flaky'])],
      sink,
      execute: async (t) => {
        if (t.task_key === 'flaky' && ++calls < 3) throw new Error(`attempt ${calls} failed`);
        return 'ok';
      },
    });
    await settle();
    expect(calls).toBe(1);
    await timer.advance(59_999);
    expect(calls).toBe(1);
    await timer.advance(1);
    expect(calls).toBe(2);
    await timer.advance(60_000);
    const outcomes = await done;
    expect(calls).toBe(3);
    expect(outcomes[0]).toMatchObject({ task_key: 'flaky', result: 'SUCCESS', attempts: 3, start_time: 1_000, end_time: 121_000 });
    expect(outcomes[1]).toMatchObject({ result: 'SUCCESS' });
    const states = sink.events.filter((e) => e.code === 'task.state' && (e.data as { task_key: string }).task_key === 'flaky').map((e) => `${(e.data as { state: string }).state}:${(e.data as { attempt?: number }).attempt ?? ''}`);
    expect(states).toEqual(['PENDING:', 'RUNNING:0', 'WAITING_FOR_RETRY:0', 'RUNNING:1', 'WAITING_FOR_RETRY:1', 'RUNNING:2', 'TERMINATED:2']);
  });

  it('times a task out at timeout_seconds and tells its work to stop', async () => {
    const timer = new ManualTimer();
    let stopped = false;
    const done = runJobTasks({
      runId: 'r5',
      timer,
      tasks: [task('slow', [], { timeout_seconds: 30 })],
      sink: recordingSink(),
      execute: (_t, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            stopped = true;
            reject(new Error('stopped'));
          }),
        ),
    });
    await timer.advance(30_000);
    const [outcome] = await done;
    expect(stopped).toBe(true);
    expect(outcome).toMatchObject({ result: 'TIMEDOUT', end_time: 30_000 });
  });

  it("ends the whole run at the job's timeout_seconds, stopping what runs and cancelling what waits", async () => {
    const timer = new ManualTimer();
    const sink = recordingSink();
    let stopped = false;
    const done = runJobTasks({
      runId: 'r6',
      timer,
      timeoutSeconds: 60,
      tasks: [task('slow'), task('after', ['slow'])],
      sink,
      execute: (_t, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            stopped = true;
            reject(new Error('stopped'));
          }),
        ),
    });
    await timer.advance(59_999);
    expect(stopped).toBe(false);
    await timer.advance(1);
    const outcomes = await done;
    expect(stopped).toBe(true);
    expect(outcomes.timedOut).toBe(true);
    expect(outcomes.map((o) => [o.task_key, o.result])).toEqual([['slow', 'TIMEDOUT'], ['after', 'CANCELED']]);
    expect(sink.events.find((e) => e.code === 'run.cancelling')).toMatchObject({ level: 'warn', data: { run_id: 'r6', reason: 'timeout' } });
  });

  it('runs only the tasks asked for, and cancels on the signal', async () => {
    const ran: string[] = [];
    const outcomes = await runJobTasks({ runId: 'r6', tasks: [task('a'), task('b', ['a']), task('c', ['b'])], only: ['b', 'c'], sink: recordingSink(), execute: async (t) => void ran.push(t.task_key) });
    expect(ran).toEqual(['b', 'c']);
    expect(outcomes.map((o) => o.task_key)).toEqual(['b', 'c']);
    await expect(runJobTasks({ runId: 'r7', tasks: [task('a')], only: ['z'], sink: recordingSink(), execute: async () => {} })).rejects.toThrow(/--only: no task "z"/);

    const controller = new AbortController();
    const g = gate();
    const done = runJobTasks({ runId: 'r8', tasks: [task('a'), task('b', ['a'])], sink: recordingSink(), signal: controller.signal, execute: (t) => g.wait(t.task_key) });
    await settle();
    controller.abort();
    await g.release('a');
    expect((await done).map((o) => o.result)).toEqual(['CANCELED', 'CANCELED']);
  });
});
