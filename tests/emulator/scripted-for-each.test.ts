// A for-each task on a workspace that follows its scenario (nothing executes): its iterations are planned by the one
// scheduler, each the nested task with {{input}} filled in, following the nested task's script and durations,
// `concurrency` at a time. runs/get shows the iteration counts as the timeline unfolds and lists the iterations
// under the for-each task's run id; a scripted failure of the nested task fails its iterations and the for-each.
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
  for (const name of ['load', 'after']) {
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
        { task_key: 'after', depends_on: [{ task_key: 'each' }], notebook_task: { notebook_path: '/Shared/nb/after' } },
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
