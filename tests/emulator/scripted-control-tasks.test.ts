// For-each and run-job tasks on a workspace that follows its scenario (nothing executes). A for-each's iterations
// are planned by the one scheduler, each the nested task with {{input}} filled in, following the nested task's
// script and durations, `concurrency` at a time: runs/get shows their counts as the timeline unfolds and lists them
// under the for-each task's run id; a scripted failure of the nested task fails its iterations and the for-each.
// A run-job task starts a run of the other job when it starts running and ends as that run does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, VirtualClock, startFakeWorkspace } from '../../src/emulator/index.ts';
import { type ApiResponse, b64, call } from './client.ts';

let ws: FakeWorkspace;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock();
  ws = await startFakeWorkspace({ clock });
  ws.scenario.defaults({ queuedMs: 0, pendingMs: 100, runningMs: 1000 });
  await call(ws, 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/nb' } });
  for (const name of ['load', 'after', 'work']) {
    await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: `/Shared/nb/${name}`, content: b64('print(1)'), format: 'SOURCE', language: 'PYTHON' } });
  }
});
afterEach(async () => {
  await ws.close();
});

async function startLoop(): Promise<string> {
  const job = await call(ws, 'POST', '/api/2.2/jobs/create', {
    body: {
      name: 'loop',
      tasks: [
        {
          task_key: 'each',
          for_each_task: { inputs: '["a","b","c"]', concurrency: 2, task: { task_key: 'load', notebook_task: { notebook_path: '/Shared/nb/load', base_parameters: { table: '{{input}}' } } } },
        },
        { task_key: 'after', depends_on: [{ task_key: 'each' }], notebook_task: { notebook_path: '/Shared/nb/after', base_parameters: { job: '{{job.id}}' } } },
      ],
    },
  });
  const run = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: job.body.job_id } });
  return String(run.body.run_id);
}

type Json = ApiResponse['body'];
const getRun = async (runId: string): Promise<Json> => (await call(ws, 'GET', `/api/2.2/jobs/runs/get?run_id=${runId}`)).body;
const statsOf = (run: Json) => run.tasks.find((t: Json) => t.task_key === 'each').for_each_task.stats;

describe('for-each on a scripted workspace', () => {
  it('plans the iterations `concurrency` at a time; runs/get shows their counts as time passes and lists them', async () => {
    const runId = await startLoop();
    clock.advance(500);
    expect(statsOf(await getRun(runId)).task_run_stats).toEqual({ total_iterations: 3, scheduled_iterations: 2, active_iterations: 2, completed_iterations: 0, succeeded_iterations: 0, failed_iterations: 0 });
    clock.advance(750);
    expect(statsOf(await getRun(runId)).task_run_stats).toMatchObject({ scheduled_iterations: 3, active_iterations: 1, completed_iterations: 2, succeeded_iterations: 2 });
    clock.advance(10_000);
    const run = await getRun(runId);
    expect(run.state.result_state).toBe('SUCCESS');
    const each = run.tasks.find((t: Json) => t.task_key === 'each');
    // The for-each runs from 100 until its last iteration ends (c: ready at 1200, 100 ms pending, 1000 running).
    expect([each.start_time, each.end_time].map((t: number) => t - run.start_time)).toEqual([0, 2300]);
    // With include_resolved_values, a notebook task shows its parameters as it ran them.
    const resolved = (await call(ws, 'GET', `/api/2.2/jobs/runs/get?run_id=${runId}&include_resolved_values=true`)).body.tasks.map((t: Json) => t.resolved_values);
    expect(resolved).toEqual([undefined, { notebook_task: { base_parameters: { job: String(run.job_id) } } }]);
    const after = run.tasks.find((t: Json) => t.task_key === 'after');
    expect(after.start_time - run.start_time).toBe(2300);
    const iterations = (await getRun(String(each.run_id))).iterations;
    expect(iterations.map((i: Json) => [i.task_key, i.notebook_task.base_parameters.table, i.state.result_state, i.start_time - run.start_time, i.end_time - run.start_time])).toEqual([
      ['load', 'a', 'SUCCESS', 100, 1200],
      ['load', 'b', 'SUCCESS', 100, 1200],
      ['load', 'c', 'SUCCESS', 1200, 2300],
    ]);
  });

  it("follows the nested task's script: a scripted failure fails every iteration and the for-each, with its error", async () => {
    ws.scenario.taskOutcome('load', { result: 'FAILED', error: 'AnalysisException: boom' });
    const runId = await startLoop();
    clock.advance(10_000);
    const run = await getRun(runId);
    expect(run.state.result_state).toBe('FAILED');
    const each = run.tasks.find((t: Json) => t.task_key === 'each');
    expect(each.state.result_state).toBe('FAILED');
    expect(statsOf(run)).toEqual({
      task_run_stats: { total_iterations: 3, scheduled_iterations: 3, active_iterations: 0, completed_iterations: 3, succeeded_iterations: 0, failed_iterations: 3 },
      error_message_stats: [{ error_message: 'AnalysisException: boom', count: 3 }],
    });
    expect((await call(ws, 'GET', `/api/2.2/jobs/runs/get-output?run_id=${each.run_id}`)).body.error).toBe('3 of 3 iterations of load did not succeed (AnalysisException: boom).');
    expect(run.tasks.find((t: Json) => t.task_key === 'after').state.result_state).toBe('UPSTREAM_FAILED');
  });
});

describe('repairing a for-each on a scripted workspace', () => {
  it('runs again only the iteration that failed (its notebook was missing) and keeps the others', async () => {
    const job = await call(ws, 'POST', '/api/2.2/jobs/create', {
      body: { name: 'paths', tasks: [{ task_key: 'each', for_each_task: { inputs: '["load","missing","work"]', concurrency: 3, task: { task_key: 'nb', notebook_task: { notebook_path: '/Shared/nb/{{input}}' } } } }] },
    });
    const run = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: job.body.job_id } });
    const runId = String(run.body.run_id);
    clock.advance(10_000);
    const failed = await getRun(runId);
    expect(statsOf(failed).task_run_stats).toMatchObject({ succeeded_iterations: 2, failed_iterations: 1 });
    const before = (await getRun(String(failed.tasks[0].run_id))).iterations;
    await call(ws, 'POST', '/api/2.0/workspace/import', { body: { path: '/Shared/nb/missing', content: b64('print(1)'), format: 'SOURCE', language: 'PYTHON' } });
    await call(ws, 'POST', '/api/2.2/jobs/runs/repair', { body: { run_id: Number(runId), rerun_all_failed_tasks: true } });
    clock.advance(10_000);
    const repaired = await getRun(runId);
    expect(repaired.state.result_state).toBe('SUCCESS');
    const each = repaired.tasks.at(-1);
    expect(statsOf({ tasks: [each] }).task_run_stats).toEqual({ total_iterations: 3, scheduled_iterations: 3, active_iterations: 0, completed_iterations: 3, succeeded_iterations: 3, failed_iterations: 0 });
    const after = (await getRun(String(each.run_id))).iterations;
    expect(after.map((i: Json) => i.notebook_task.notebook_path)).toEqual(['/Shared/nb/load', '/Shared/nb/missing', '/Shared/nb/work']);
    expect([after[0].run_id, after[2].run_id]).toEqual([before[0].run_id, before[2].run_id]);
    expect(after[1].run_id).not.toBe(before[1].run_id);
  });
});

const jobOf = async (settings: Json): Promise<string> => String((await call(ws, 'POST', '/api/2.2/jobs/create', { body: settings })).body.job_id);
const runNow = async (jobId: string): Promise<string> => String((await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: jobId } })).body.run_id);
const runsOf = async (jobId: string): Promise<Json[]> => (await call(ws, 'GET', `/api/2.2/jobs/runs/list?job_id=${jobId}`)).body.runs ?? [];

describe('run-job on a scripted workspace', () => {
  async function parentAndChild(): Promise<{ parent: string; child: string }> {
    const child = await jobOf({ name: 'child', parameters: [{ name: 'day', default: 'none' }], tasks: [{ task_key: 'work', notebook_task: { notebook_path: '/Shared/nb/work' } }] });
    const parent = await jobOf({
      name: 'parent',
      tasks: [
        { task_key: 'run_child', run_job_task: { job_id: Number(child), job_parameters: { day: 'from {{job.id}}' } } },
        { task_key: 'after', depends_on: [{ task_key: 'run_child' }], notebook_task: { notebook_path: '/Shared/nb/after' } },
      ],
    });
    return { parent, child };
  }

  it('starts a run of the other job when the task runs, lasts until it ends and ends as it did', async () => {
    const { parent, child } = await parentAndChild();
    const runId = await runNow(parent);
    clock.advance(50);
    expect(await runsOf(child)).toEqual([]);
    clock.advance(100);
    const [childRun] = await runsOf(child);
    expect(childRun.state.life_cycle_state).toBe('PENDING');
    expect(childRun.job_parameters).toEqual([{ name: 'day', default: 'none', value: `from ${parent}` }]);
    clock.advance(10_000);
    const run = await getRun(runId);
    expect(run.state.result_state).toBe('SUCCESS');
    const task = run.tasks.find((t: Json) => t.task_key === 'run_child');
    // The task runs from 100 (its pending time) until the child's one task ends (100 pending, 1000 running).
    expect(task.end_time - run.start_time).toBe(1200);
    expect((await call(ws, 'GET', `/api/2.2/jobs/runs/get-output?run_id=${task.run_id}`)).body.run_job_output).toEqual({ run_id: childRun.run_id });
    expect(await getRun(String(childRun.run_id))).toMatchObject({ trigger: 'RUN_JOB_TASK', trigger_info: { run_id: task.run_id }, state: { result_state: 'SUCCESS' } });
  });

  it("fails when the child run fails (the child's task scripted to fail), and when a job would run itself", async () => {
    ws.scenario.taskOutcome('work', { result: 'FAILED', error: 'boom' });
    const { parent, child } = await parentAndChild();
    const runId = await runNow(parent);
    clock.advance(10_000);
    const run = await getRun(runId);
    const task = run.tasks.find((t: Json) => t.task_key === 'run_child');
    expect(task.state.result_state).toBe('FAILED');
    const [childRun] = await runsOf(child);
    expect((await call(ws, 'GET', `/api/2.2/jobs/runs/get-output?run_id=${task.run_id}`)).body.error).toBe(`The run ${childRun.run_id} of job ${child} ended FAILED: Task work failed with message: Workload failed, see run output for details.`);
    const self = await jobOf({ name: 'self', tasks: [{ task_key: 'again', run_job_task: { job_id: 0 } }] });
    await call(ws, 'POST', '/api/2.2/jobs/reset', { body: { job_id: Number(self), new_settings: { name: 'self', tasks: [{ task_key: 'again', run_job_task: { job_id: Number(self) } }] } } });
    const selfRun = await runNow(self);
    clock.advance(10_000);
    const again = (await getRun(selfRun)).tasks[0];
    expect(again.state.result_state).toBe('FAILED');
    expect((await call(ws, 'GET', `/api/2.2/jobs/runs/get-output?run_id=${again.run_id}`)).body.error).toBe(`Task "again" runs job ${self}, which is already running above it (${self} → ${self}).`);
    expect(await runsOf(self)).toHaveLength(1);
  });

  it('cancelling the parent cancels the child run', async () => {
    const { parent, child } = await parentAndChild();
    const runId = await runNow(parent);
    clock.advance(500);
    await call(ws, 'POST', '/api/2.2/jobs/runs/cancel', { body: { run_id: Number(runId) } });
    clock.advance(10_000);
    expect((await getRun(runId)).state.result_state).toBe('CANCELED');
    const [childRun] = await runsOf(child);
    expect(childRun.state.result_state).toBe('CANCELED');
  });
});
