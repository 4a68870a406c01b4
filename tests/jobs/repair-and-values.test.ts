// A repair of a for-each task runs only the iterations that did not succeed (its stats count the kept ones), and
// task values set by a task's code (dbutils.jobs.taskValues semantics) are what {{tasks.<key>.values.<name>}}
// resolves to downstream: in condition operands and in the parameters of later tasks.
import { describe, expect, it } from 'vitest';
import { type AttemptOutcome, type IterationEvent, runTasks } from '../../src/jobs/run-tasks.ts';
import { TASK_VALUE_MAX_BYTES, TaskValues } from '../../src/jobs/task-values.ts';
import type { SchedulableTask } from '../../src/jobs/task-scheduler.ts';

type Task = SchedulableTask & Record<string, unknown>;
const loop = (inputs: unknown[], extra: Record<string, unknown> = {}): Task => ({
  task_key: 'each',
  for_each_task: { inputs: JSON.stringify(inputs), concurrency: 3, task: { task_key: 'load', notebook_task: { notebook_path: '/nb', base_parameters: { table: '{{input}}' } } } },
  ...extra,
});
const tableOf = (t: Task) => (t['notebook_task'] as { base_parameters: Record<string, string> }).base_parameters['table']!;

describe('repairing a for-each task', () => {
  it('runs again only the iterations that were not kept; the kept ones count as succeeded in the stats', async () => {
    const ran: string[] = [];
    const events: IterationEvent<string>[] = [];
    let ended: AttemptOutcome<string> | undefined;
    const results = await runTasks<Task, string>({
      tasks: [loop(['a', 'b', 'c', 'd'])],
      // a and c succeeded in the run being repaired; b failed and d never ran.
      keptIterations: (key) => (key === 'each' ? new Map([[0, 'a'], [2, 'c']]) : undefined),
      execute: async (t) => {
        ran.push(tableOf(t));
        if (tableOf(t) === 'd') throw new Error('d is still broken');
        return 'ok';
      },
      onIteration: (e) => events.push(e),
      onStep: (step, outcome) => {
        if (step.kind === 'end') ended = outcome;
      },
    });
    expect(ran.sort()).toEqual(['b', 'd']);
    expect(events.filter((e) => e.step.kind === 'start').map((e) => e.index)).toEqual([1, 3]);
    expect(results.get('each')).toBe('FAILED');
    expect(ended).toMatchObject({
      ok: false,
      control: { kind: 'for_each', stats: { total_iterations: 4, scheduled_iterations: 4, completed_iterations: 4, succeeded_iterations: 3, failed_iterations: 1, active_iterations: 0 } },
    });
    expect((ended as { error: Error }).error.message).toBe('1 of 4 iterations of load did not succeed (d is still broken).');
  });

  it('runs an iteration again when its input is no longer the one that succeeded', async () => {
    const ran: string[] = [];
    const results = await runTasks<Task, string>({
      tasks: [loop(['a', 'x'])],
      keptIterations: () => new Map([[0, 'a'], [1, 'b']]),
      execute: async (t) => {
        ran.push(tableOf(t));
        return 'ok';
      },
    });
    expect(ran).toEqual(['x']);
    expect(results.get('each')).toBe('SUCCESS');
  });
});

describe('task values', () => {
  it('keeps a copy of each JSON value, replaces a key set again, and refuses what the docs refuse', () => {
    const values = new TaskValues('count');
    const rows = { n: 1 };
    values.set('rows', rows);
    rows.n = 2;
    values.set('status', 'ok');
    values.set('status', 'done');
    expect(values.all()).toEqual({ rows: { n: 1 }, status: 'done' });
    expect(() => values.set('', 1)).toThrow('key must be a non-empty string');
    expect(() => values.set('f', () => 1)).toThrow('task value "f" cannot be expressed as JSON');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => values.set('c', cyclic)).toThrow('task value "c" cannot be expressed as JSON');
    // The limit is on the JSON text: a string of 48 KiB is two quotes over it.
    expect(() => values.set('big', 'x'.repeat(TASK_VALUE_MAX_BYTES))).toThrow(`is ${TASK_VALUE_MAX_BYTES + 2} bytes as JSON; a task value may be at most ${TASK_VALUE_MAX_BYTES} bytes`);
    values.set('fits', 'x'.repeat(TASK_VALUE_MAX_BYTES - 2));
    expect(new TaskValues('none').all()).toBeUndefined();
  });

  it('resolves {{tasks.<key>.values.<name>}} in a condition and in the parameters of a downstream task', async () => {
    const received: Record<string, unknown>[] = [];
    const outcomes = new Map<string, AttemptOutcome<string> | undefined>();
    const results = await runTasks<Task, string>({
      tasks: [
        { task_key: 'count', notebook_task: { notebook_path: '/count' } },
        { task_key: 'check', depends_on: [{ task_key: 'count' }], condition_task: { op: 'GREATER_THAN', left: '{{tasks.count.values.rows}}', right: '100' } },
        { task_key: 'report', depends_on: [{ task_key: 'check', outcome: 'true' }], notebook_task: { notebook_path: '/report', base_parameters: { summary: '{{tasks.count.values.summary}}', rows: '{{tasks.count.values.rows}}' } } },
      ],
      execute: async (t, _attempt, _signal, values) => {
        if (t.task_key === 'count') {
          values.set('rows', 250);
          values.set('summary', { tables: ['a', 'b'] });
        } else {
          received.push((t['notebook_task'] as { base_parameters: Record<string, unknown> }).base_parameters);
        }
        return 'ok';
      },
      onStep: (step, outcome) => {
        if (step.kind === 'end') outcomes.set(step.key, outcome);
      },
    });
    expect(Object.fromEntries(results)).toEqual({ count: 'SUCCESS', check: 'SUCCESS', report: 'SUCCESS' });
    expect(outcomes.get('check')).toMatchObject({ control: { kind: 'condition', left: '250', outcome: 'true' } });
    // A value that is not a string is substituted as its JSON.
    expect(received).toEqual([{ summary: '{"tables":["a","b"]}', rows: '250' }]);
    expect(outcomes.get('count')?.values).toEqual({ rows: 250, summary: { tables: ['a', 'b'] } });
  });

  it("a retry's values replace the failed attempt's: a key only the failed attempt set is not there", async () => {
    const outcomes = new Map<string, AttemptOutcome<string> | undefined>();
    const results = await runTasks<Task, string>({
      tasks: [
        { task_key: 'count', notebook_task: { notebook_path: '/count' }, max_retries: 1 },
        { task_key: 'check', depends_on: [{ task_key: 'count' }], condition_task: { op: 'EQUAL_TO', left: '{{tasks.count.values.partial}}', right: 'yes' } },
      ],
      execute: async (t, attempt, _signal, values) => {
        if (attempt === 0) {
          values.set('partial', 'yes');
          throw new Error('first attempt broke');
        }
        values.set('rows', 1);
        return 'ok';
      },
      onStep: (step, outcome) => {
        if (step.kind === 'end') outcomes.set(`${step.key}#${step.attempt}`, outcome);
      },
    });
    expect(outcomes.get('count#0')?.values).toEqual({ partial: 'yes' });
    expect(outcomes.get('count#1')?.values).toEqual({ rows: 1 });
    expect(results.get('check')).toBe('FAILED');
    expect(String((outcomes.get('check#0') as { error: Error }).error.message)).toContain('task "count" set no task value "partial"');
  });

  it('fails a condition that reads a value the upstream task did not set, naming it', async () => {
    const outcomes = new Map<string, AttemptOutcome<string> | undefined>();
    const results = await runTasks<Task, string>({
      tasks: [
        { task_key: 'count', notebook_task: { notebook_path: '/count' } },
        { task_key: 'check', depends_on: [{ task_key: 'count' }], condition_task: { op: 'EQUAL_TO', left: '{{tasks.count.values.rows}}', right: '1' } },
      ],
      execute: async () => 'ok',
      onStep: (step, outcome) => {
        if (step.kind === 'end') outcomes.set(step.key, outcome);
      },
    });
    expect(results.get('check')).toBe('FAILED');
    expect(String((outcomes.get('check') as { error: Error }).error.message)).toBe('Cannot resolve {{tasks.count.values.rows}}: task "count" set no task value "rows".');
  });

  it('a repair reads the values of tasks it does not run from the caller', async () => {
    let received: unknown;
    await runTasks<Task, string>({
      tasks: [{ task_key: 'report', depends_on: [{ task_key: 'count' }], notebook_task: { notebook_path: '/report', base_parameters: { rows: '{{tasks.count.values.rows}}' } } }],
      known: new Map([['count', 'SUCCESS']]),
      references: { task: (key) => (key === 'count' ? { result_state: 'SUCCESS', values: { rows: 7 } } : undefined) },
      execute: async (t) => {
        received = (t['notebook_task'] as { base_parameters: Record<string, unknown> }).base_parameters['rows'];
        return 'ok';
      },
    });
    expect(received).toBe('7');
  });
});
