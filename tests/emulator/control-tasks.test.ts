// Condition, for-each and run-job tasks on a workspace that executes runs, driven with the official SDK
// (@databricks/sdk-experimental): the branch not taken is EXCLUDED and runs/get shows the condition's outcome, a
// for-each with a failing iteration fails with its iteration stats, and a run-job task's child is a real run.
// The executor ends each task at once (a notebook fails when its `table` parameter is "bad"), and the test waits
// for the run to end before the SDK's waiter polls, so no test sleeps.
import { WorkspaceClient } from '@databricks/sdk-experimental';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, TaskExecutionError, type TaskExecution, startFakeWorkspace } from '../../src/emulator/index.ts';
import { settle } from '../jobs/manual-timer.ts';

let ws: FakeWorkspace;
let w: WorkspaceClient;
let executed: string[];

const instant = {
  async execute(e: TaskExecution) {
    const params = ((e.task['notebook_task'] as { base_parameters?: Record<string, string> } | undefined)?.base_parameters ?? {}) as Record<string, string>;
    executed.push(`${String(e.task['task_key'])}${params['table'] !== undefined ? `(${params['table']})` : ''}#${e.attempt}`);
    if (params['table'] === 'bad') throw new TaskExecutionError(`AnalysisException: table ${params['table']} is broken`);
    return { notebook_output: `loaded ${params['table'] ?? ''}` };
  },
};

beforeEach(async () => {
  executed = [];
  ws = await startFakeWorkspace({ runs: instant });
  w = new WorkspaceClient({ host: ws.url, token: ws.token, authType: 'pat', configFile: '/nonexistent/.databrickscfg' });
});
afterEach(async () => {
  await ws.close();
});

const nb = (task_key: string, extra: Record<string, unknown> = {}) => ({ task_key, notebook_task: { notebook_path: `/Shared/${task_key}` }, ...extra });

/** The run ends within a few event-loop turns (the executor does not wait); then the SDK's waiter sees it at once. */
async function ended(runId: number) {
  for (let i = 0; i < 50; i++) {
    const run = await w.jobs.getRun({ run_id: runId });
    if (run.state?.life_cycle_state === 'TERMINATED' || run.state?.life_cycle_state === 'SKIPPED') return run;
    await settle();
  }
  throw new Error(`run ${runId} did not end`);
}

describe('control-flow tasks on a workspace that executes runs (official SDK)', () => {
  it('a condition task takes one branch: the other is EXCLUDED, runs/get shows the outcome', async () => {
    const { job_id } = await w.jobs.create({
      name: 'branching',
      parameters: [{ name: 'rows', default: '250' }],
      tasks: [
        { task_key: 'check', condition_task: { op: 'GREATER_THAN', left: '{{job.parameters.rows}}', right: '100' } },
        nb('big', { depends_on: [{ task_key: 'check', outcome: 'true' }] }),
        nb('small', { depends_on: [{ task_key: 'check', outcome: 'false' }] }),
        nb('report', { depends_on: [{ task_key: 'big' }, { task_key: 'small' }], run_if: 'NONE_FAILED' }),
      ],
    });
    const started = await w.jobs.runNow({ job_id: job_id!, job_parameters: { rows: '5' } });
    await ended(started.run_id!);
    const run = await started.wait();
    expect(run.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' });
    const byKey = Object.fromEntries(run.tasks!.map((t) => [t.task_key, t]));
    expect(byKey['check']!.condition_task).toEqual({ op: 'GREATER_THAN', left: '{{job.parameters.rows}}', right: '100', outcome: 'false' });
    expect(byKey['big']!.state).toMatchObject({ life_cycle_state: 'SKIPPED', result_state: 'EXCLUDED' });
    expect(byKey['small']!.state?.result_state).toBe('SUCCESS');
    expect(byKey['report']!.state?.result_state).toBe('SUCCESS');
    expect(executed).toEqual(['small#0', 'report#0']);
  });

  it('a for-each task runs its nested task per input and fails when an iteration does, with its stats', async () => {
    const { job_id } = await w.jobs.create({
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
        nb('after', { depends_on: [{ task_key: 'each' }] }),
      ],
    });
    const started = await w.jobs.runNow({ job_id: job_id! });
    await ended(started.run_id!);
    const run = await started.wait();
    expect(run.state?.result_state).toBe('FAILED');
    const each = run.tasks!.find((t) => t.task_key === 'each')!;
    expect(each.state?.result_state).toBe('FAILED');
    expect(each.for_each_task?.stats).toEqual({
      task_run_stats: { total_iterations: 3, scheduled_iterations: 3, active_iterations: 0, completed_iterations: 3, succeeded_iterations: 2, failed_iterations: 1 },
      error_message_stats: [{ error_message: 'AnalysisException: table bad is broken', count: 1 }],
    });
    expect(run.tasks!.find((t) => t.task_key === 'after')!.state?.result_state).toBe('UPSTREAM_FAILED');
    // The failing iteration was retried once (the nested task's max_retries); the others ran once.
    expect(executed.sort()).toEqual(['load(bad)#0', 'load(bad)#1', 'load(customers)#0', 'load(orders)#0']);
    expect((await w.jobs.getRunOutput({ run_id: each.run_id! })).error).toBe('1 of 3 iterations of load did not succeed (AnalysisException: table bad is broken).');
  });

  it('a run-job task starts a real run of the other job, waits for it and ends as it did', async () => {
    const child = await w.jobs.create({ name: 'child', parameters: [{ name: 'table', default: 'orders' }], tasks: [nb('load', { notebook_task: { notebook_path: '/Shared/load', base_parameters: { table: '{{job.parameters.table}}' } } })] });
    const parent = await w.jobs.create({
      name: 'parent',
      tasks: [
        { task_key: 'good', run_job_task: { job_id: child.job_id! } },
        { task_key: 'broken', depends_on: [{ task_key: 'good' }], run_job_task: { job_id: child.job_id!, job_parameters: { table: 'bad' } } },
      ],
    });
    const started = await w.jobs.runNow({ job_id: parent.job_id! });
    await ended(started.run_id!);
    const run = await started.wait();
    expect(run.state?.result_state).toBe('FAILED');
    const childRuns: { run_id?: number; state?: { result_state?: string } }[] = [];
    for await (const r of w.jobs.listRuns({ job_id: child.job_id! })) childRuns.push(r);
    expect(childRuns.map((r) => r.state?.result_state)).toEqual(['FAILED', 'SUCCESS']);
    const good = run.tasks!.find((t) => t.task_key === 'good')!;
    const broken = run.tasks!.find((t) => t.task_key === 'broken')!;
    expect(good.state?.result_state).toBe('SUCCESS');
    expect((await w.jobs.getRunOutput({ run_id: good.run_id! })).run_job_output?.run_id).toBe(childRuns[1]!.run_id);
    // The child says what started it: the run-job task's run.
    expect(await w.jobs.getRun({ run_id: childRuns[1]!.run_id! })).toMatchObject({ trigger: 'RUN_JOB_TASK', trigger_info: { run_id: good.run_id } });
    const brokenOutput = await w.jobs.getRunOutput({ run_id: broken.run_id! });
    expect(brokenOutput.run_job_output?.run_id).toBe(childRuns[0]!.run_id);
    expect(brokenOutput.error).toContain(`The run ${childRuns[0]!.run_id} of job ${child.job_id} ended FAILED`);
    expect(executed).toEqual(['load(orders)#0', 'load(bad)#0']);
  });
});
