// For-each iterations and task values on a workspace that executes runs, driven with the official SDK
// (@databricks/sdk-experimental): runs/get with the for-each task's run id lists its iterations (every attempt of
// each, with its own run id that get-output takes), a repair of the failed for-each runs again only the failed
// iteration and keeps the others, and task values set by a task are what a downstream condition and notebook read.
// The executor ends each task at once, so no test sleeps.
import { WorkspaceClient } from '@databricks/sdk-experimental';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, TaskExecutionError, type TaskExecution, startFakeWorkspace } from '../../src/emulator/index.ts';
import { settle } from '../jobs/manual-timer.ts';
import { cancelRun } from '../../src/emulator/sim/run-view.ts';
import type { RunRecord } from '../../src/emulator/state.ts';

let ws: FakeWorkspace;
let w: WorkspaceClient;
let executed: string[];
/** Tables whose load fails (until a test fixes them). */
let broken: Set<string>;
/** The parameters each notebook task ran with. */
let seen: Record<string, string>[];

const executor = {
  async execute(e: TaskExecution) {
    const params = ((e.task['notebook_task'] as { base_parameters?: Record<string, string> } | undefined)?.base_parameters ?? {}) as Record<string, string>;
    seen.push(params);
    executed.push(`${String(e.task['task_key'])}${params['table'] !== undefined ? `(${params['table']})` : ''}#${e.attempt}`);
    if (params['table'] !== undefined && broken.has(params['table'])) throw new TaskExecutionError(`AnalysisException: table ${params['table']} is broken`);
    // A load that runs until it is cancelled.
    if (params['table'] === 'hang') await new Promise((resolve) => e.signal.addEventListener('abort', resolve, { once: true }));
    if (e.task['task_key'] === 'count') e.taskValues?.set('rows', 250);
    return { notebook_output: `loaded ${params['table'] ?? params['rows'] ?? ''}` };
  },
};

beforeEach(async () => {
  executed = [];
  seen = [];
  broken = new Set(['bad']);
  ws = await startFakeWorkspace({ runs: executor });
  w = new WorkspaceClient({ host: ws.url, token: ws.token, authType: 'pat', configFile: '/nonexistent/.databrickscfg' });
});
afterEach(async () => {
  await ws.close();
});

async function ended(runId: number) {
  for (let i = 0; i < 50; i++) {
    const run = await w.jobs.getRun({ run_id: runId });
    if (run.state?.life_cycle_state === 'TERMINATED' || run.state?.life_cycle_state === 'SKIPPED') return run;
    await settle();
  }
  throw new Error(`run ${runId} did not end`);
}

const loopJob = {
  name: 'loop',
  tasks: [
    {
      task_key: 'each',
      for_each_task: {
        inputs: '["orders","bad","customers"]',
        concurrency: 2,
        task: { task_key: 'load', notebook_task: { notebook_path: '/Shared/load', base_parameters: { table: '{{input}}' } }, max_retries: 1 },
      },
    },
  ],
};

describe('for-each iterations (official SDK)', () => {
  it("runs/get with the for-each task's run id lists its iterations; get-output takes an iteration's id", async () => {
    const { job_id } = await w.jobs.create(loopJob);
    const { run_id } = await w.jobs.runNow({ job_id: job_id! });
    const run = await ended(run_id!);
    const each = run.tasks!.find((t) => t.task_key === 'each')!;
    const taskRun = await w.jobs.getRun({ run_id: each.run_id! });
    expect(taskRun.run_id).toBe(each.run_id);
    expect(taskRun.tasks!.map((t) => [t.task_key, t.state?.result_state])).toEqual([['each', 'FAILED']]);
    const iterations = taskRun.iterations!;
    // Every attempt of each iteration, by index: bad failed twice (max_retries 1).
    expect(iterations.map((i) => [i.task_key, i.notebook_task?.base_parameters?.['table'], i.attempt_number, i.state?.result_state])).toEqual([
      ['load', 'orders', 0, 'SUCCESS'],
      ['load', 'bad', 0, 'FAILED'],
      ['load', 'bad', 1, 'FAILED'],
      ['load', 'customers', 0, 'SUCCESS'],
    ]);
    expect(new Set(iterations.map((i) => i.run_id)).size).toBe(4);
    expect(iterations.every((i) => i.run_id !== each.run_id && (i.end_time ?? 0) >= (i.start_time ?? 0) && (i.start_time ?? 0) > 0)).toBe(true);
    expect((await w.jobs.getRunOutput({ run_id: iterations[2]!.run_id! })).error).toBe('AnalysisException: table bad is broken');
    const good = await w.jobs.getRunOutput({ run_id: iterations[0]!.run_id! });
    expect(good.notebook_output?.result).toBe('loaded orders');
    expect(good.metadata).toMatchObject({ job_id, run_id: iterations[0]!.run_id, task_key: 'load' });
    // An iteration's run id is a task run too.
    expect((await w.jobs.getRun({ run_id: iterations[1]!.run_id! })).tasks!.map((t) => t.attempt_number)).toEqual([0]);
  });

  it('a repair of the failed for-each runs again only the failed iteration; the kept ones stay, and stats count all', async () => {
    const { job_id } = await w.jobs.create(loopJob);
    const { run_id } = await w.jobs.runNow({ job_id: job_id! });
    const first = await ended(run_id!);
    const before = (await w.jobs.getRun({ run_id: first.tasks![0]!.run_id! })).iterations!;
    broken.clear();
    executed = [];
    await w.jobs.repairRun({ run_id: run_id!, rerun_all_failed_tasks: true });
    const run = await ended(run_id!);
    expect(run.state?.result_state).toBe('SUCCESS');
    expect(executed).toEqual(['load(bad)#0']);
    const repaired = run.tasks!.filter((t) => t.task_key === 'each').at(-1)!;
    expect(repaired.state?.result_state).toBe('SUCCESS');
    expect(repaired.for_each_task?.stats?.task_run_stats).toEqual({ total_iterations: 3, scheduled_iterations: 3, active_iterations: 0, completed_iterations: 3, succeeded_iterations: 3, failed_iterations: 0 });
    const iterations = (await w.jobs.getRun({ run_id: repaired.run_id! })).iterations!;
    expect(iterations.map((i) => [i.notebook_task?.base_parameters?.['table'], i.state?.result_state])).toEqual([
      ['orders', 'SUCCESS'],
      ['bad', 'SUCCESS'],
      ['customers', 'SUCCESS'],
    ]);
    // The kept iterations are the runs that succeeded before, not new ones.
    expect(iterations[0]!.run_id).toBe(before[0]!.run_id);
    expect(iterations[2]!.run_id).toBe(before[3]!.run_id);
    expect(before.map((i) => i.run_id)).not.toContain(iterations[1]!.run_id);
  });
});

describe('cancelling a for-each (official SDK)', () => {
  it('ends the iterations that run CANCELED with the task', async () => {
    const { job_id } = await w.jobs.create({ ...loopJob, tasks: [{ ...loopJob.tasks[0]!, for_each_task: { ...loopJob.tasks[0]!.for_each_task, inputs: '["orders","hang"]' } }] });
    const { run_id } = await w.jobs.runNow({ job_id: job_id! });
    for (let i = 0; i < 50 && !executed.includes('load(hang)#0'); i++) await settle();
    await w.jobs.cancelRun({ run_id: run_id! });
    const run = await ended(run_id!);
    expect(run.state?.result_state).toBe('CANCELED');
    const iterations = (await w.jobs.getRun({ run_id: run.tasks![0]!.run_id! })).iterations!;
    expect(iterations.map((i) => [i.notebook_task?.base_parameters?.['table'], i.state?.life_cycle_state, i.state?.result_state])).toEqual([
      ['orders', 'TERMINATED', 'SUCCESS'],
      ['hang', 'TERMINATED', 'CANCELED'],
    ]);
  });
});

describe('a run ended from outside (a workspace restart)', () => {
  it('ends the iterations still open with their for-each task', () => {
    const OPEN = Number.MAX_SAFE_INTEGER;
    const iteration = (index: number, end_at: number) => ({ run_id: BigInt(10 + index), index, input: String(index), attempt_number: 0, ready_at: 5, running_at: 5, end_at, result: 'SUCCESS' as const, skipped: false, state_message: '', output: {} });
    const run = {
      run_id: 1n, job_id: 2n, run_name: 'r', creator_user_name: 'u', created_at: 0, started_at: 0, tasks: [], job_clusters: [], job_parameters: [], repairs: [],
      attempts: [{ run_id: 3n, task_key: 'each', attempt_number: 0, visible_at: 0, ready_at: 1, running_at: 1, end_at: OPEN, result: 'SUCCESS', skipped: false, state_message: '', output: {}, control: { iterations: [iteration(0, 8), iteration(1, OPEN)] } }],
    } satisfies RunRecord;
    cancelRun(run, 20);
    expect(run.attempts[0]!.control.iterations.map((i) => [i.end_at, i.result])).toEqual([[8, 'SUCCESS'], [20, 'CANCELED']]);
  });
});

describe('task values (official SDK)', () => {
  it("a task's values resolve in a downstream condition and notebook parameters", async () => {
    const { job_id } = await w.jobs.create({
      name: 'values',
      tasks: [
        { task_key: 'count', notebook_task: { notebook_path: '/Shared/count' } },
        { task_key: 'check', depends_on: [{ task_key: 'count' }], condition_task: { op: 'GREATER_THAN', left: '{{tasks.count.values.rows}}', right: '100' } },
        { task_key: 'report', depends_on: [{ task_key: 'check', outcome: 'true' }], notebook_task: { notebook_path: '/Shared/report', base_parameters: { rows: '{{tasks.count.values.rows}}' } } },
      ],
    });
    const { run_id } = await w.jobs.runNow({ job_id: job_id! });
    const run = await ended(run_id!);
    expect(run.state?.result_state).toBe('SUCCESS');
    expect(run.tasks!.find((t) => t.task_key === 'check')!.condition_task?.outcome).toBe('true');
    const report = run.tasks!.find((t) => t.task_key === 'report')!;
    expect((await w.jobs.getRunOutput({ run_id: report.run_id! })).notebook_output?.result).toBe('loaded 250');
    // The API shows task values in what the tasks that read them resolved.
    expect(report.resolved_values).toBeUndefined();
    const resolved = Object.fromEntries((await w.jobs.getRun({ run_id: run_id!, include_resolved_values: true })).tasks!.map((t) => [t.task_key, t.resolved_values]));
    expect(resolved).toEqual({ count: undefined, check: { condition_task: { left: '250', right: '100' } }, report: { notebook_task: { base_parameters: { rows: '250' } } } });
  });

  it('a repair that runs only the downstream task reads the values of the task it does not run again', async () => {
    broken.add('flaky');
    const { job_id } = await w.jobs.create({
      name: 'values-repair',
      tasks: [
        { task_key: 'count', notebook_task: { notebook_path: '/Shared/count' } },
        { task_key: 'report', depends_on: [{ task_key: 'count' }], notebook_task: { notebook_path: '/Shared/report', base_parameters: { table: 'flaky', rows: '{{tasks.count.values.rows}}', status: '{{tasks.count.result_state}}' } } },
      ],
    });
    const { run_id } = await w.jobs.runNow({ job_id: job_id! });
    expect((await ended(run_id!)).state?.result_state).toBe('FAILED');
    broken.clear();
    seen = [];
    executed = [];
    await w.jobs.repairRun({ run_id: run_id!, rerun_all_failed_tasks: true });
    expect((await ended(run_id!)).state?.result_state).toBe('SUCCESS');
    expect(executed).toEqual(['report(flaky)#1']);
    expect(seen).toEqual([{ table: 'flaky', rows: '250', status: 'SUCCESS' }]);
  });
});
