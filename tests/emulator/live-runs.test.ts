// Runs that execute: the emulator given a task executor schedules real work through the shared scheduler and
// records it as it happens. The executor here is a gate the test opens, so nothing waits on wall-clock time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, TaskExecutionError, type TaskExecution, type TaskExecutor, startFakeWorkspace } from '../../src/emulator/index.ts';
import { settle } from '../jobs/manual-timer.ts';
import { call } from './client.ts';

class GateExecutor implements TaskExecutor {
  readonly started: TaskExecution[] = [];
  private readonly open = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  aborted: string[] = [];

  execute(e: TaskExecution) {
    this.started.push(e);
    const key = `${e.run.run_id}/${String(e.task['task_key'])}#${e.attempt}`;
    return new Promise<{ notebook_output: string; flows?: [] }>((resolve, reject) => {
      this.open.set(key, { resolve: (v) => resolve({ notebook_output: v }), reject });
      e.signal.addEventListener('abort', () => {
        this.aborted.push(key);
        reject(new Error('stopped'));
      });
    });
  }

  keys(): string[] {
    return [...this.open.keys()].sort();
  }

  async succeed(key: string, output = 'ok') {
    this.open.get(key)!.resolve(output);
    this.open.delete(key);
    await settle();
  }

  async fail(key: string, message: string) {
    this.open.get(key)!.reject(new TaskExecutionError(message, { trace: `Traceback: ${message}` }));
    this.open.delete(key);
    await settle();
  }
}

let ws: FakeWorkspace;
let exec: GateExecutor;
beforeEach(async () => {
  exec = new GateExecutor();
  ws = await startFakeWorkspace({ runs: exec });
});
afterEach(async () => {
  await ws.close();
});

const nb = (task_key: string, deps: string[] = [], extra: Record<string, unknown> = {}) => ({
  task_key,
  notebook_task: { notebook_path: `/Shared/${task_key}` },
  ...(deps.length ? { depends_on: deps.map((d) => ({ task_key: d })) } : {}),
  ...extra,
});
const run = async (id: unknown) => (await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: String(id) } })).body;
const output = async (id: unknown) => (await call(ws, 'GET', '/api/2.2/jobs/runs/get-output', { query: { run_id: String(id) } })).body;
const createJob = async (settings: Record<string, unknown>) => (await call(ws, 'POST', '/api/2.2/jobs/create', { body: { name: 'j', ...settings } })).body.job_id;
const runNow = async (jobId: unknown) => (await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: jobId } })).body.run_id;
const taskOf = (r: { tasks: { task_key: string }[] }, key: string) => r.tasks.filter((t) => t.task_key === key).at(-1) as unknown as { run_id: string; state: { life_cycle_state: string; result_state?: string }; attempt_number: number };

describe('runs that execute', () => {
  it('executes tasks in dependency order and reports their output; a failure fails the run with its error and trace', async () => {
    const jobId = await createJob({ tasks: [nb('a'), nb('b', ['a']), nb('c', ['b']), nb('cleanup', ['b'], { run_if: 'ALL_DONE' })] });
    const id = await runNow(jobId);
    await settle();
    expect(exec.keys()).toEqual([`${id}/a#0`]);
    let r = await run(id);
    expect(r.state.life_cycle_state).toBe('RUNNING');
    expect(taskOf(r, 'b').state.life_cycle_state).toBe('BLOCKED');
    await exec.succeed(`${id}/a#0`, 'a wrote 3 rows');
    await exec.fail(`${id}/b#0`, 'ExpectationFailed: positive_quantity');
    await exec.succeed(`${id}/cleanup#0`);
    r = await run(id);
    expect(r.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'FAILED' });
    expect(Object.fromEntries(r.tasks.map((t: { task_key: string; state: { result_state: string } }) => [t.task_key, t.state.result_state]))).toEqual({ a: 'SUCCESS', b: 'FAILED', c: 'UPSTREAM_FAILED', cleanup: 'SUCCESS' });
    expect((await output(taskOf(r, 'a').run_id)).notebook_output).toEqual({ result: 'a wrote 3 rows', truncated: false });
    expect(await output(taskOf(r, 'b').run_id)).toMatchObject({ error: 'ExpectationFailed: positive_quantity', error_trace: 'Traceback: ExpectationFailed: positive_quantity' });
    expect(exec.started[0]!.run.job_id).toBe(BigInt(jobId));
  });

  it('retries a failed task per max_retries; repair re-runs only what did not succeed', async () => {
    const jobId = await createJob({ tasks: [nb('a'), nb('b', [], { max_retries: 1 }), nb('c', ['a', 'b'])] });
    const id = await runNow(jobId);
    await settle();
    await exec.succeed(`${id}/a#0`);
    await exec.fail(`${id}/b#0`, 'first');
    expect(exec.keys()).toEqual([`${id}/b#1`]);
    await exec.fail(`${id}/b#1`, 'second');
    let r = await run(id);
    expect(r.state.result_state).toBe('FAILED');
    expect(taskOf(r, 'b').attempt_number).toBe(1);
    const repair = await call(ws, 'POST', '/api/2.2/jobs/runs/repair', { body: { run_id: id, rerun_all_failed_tasks: true } });
    expect(repair.status).toBe(200);
    await settle();
    expect(exec.keys()).toEqual([`${id}/b#2`]);
    await exec.succeed(`${id}/b#2`);
    await exec.succeed(`${id}/c#1`);
    r = await run(id);
    expect(r.state.result_state).toBe('SUCCESS');
    expect(exec.started.filter((e) => e.task['task_key'] === 'a')).toHaveLength(1);
  });

  it('queues runs over max_concurrent_runs and starts the next when one ends; cancel stops the work', async () => {
    const jobId = await createJob({ max_concurrent_runs: 1, tasks: [nb('a')] });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await runNow(jobId));
    await settle();
    expect((await Promise.all(ids.map(run))).map((r) => r.state.life_cycle_state)).toEqual(['RUNNING', 'QUEUED', 'QUEUED']);
    expect((await run(ids[1])).status.queue_details.code).toBe('MAX_CONCURRENT_RUNS_REACHED');
    await exec.succeed(`${ids[0]}/a#0`);
    expect((await Promise.all(ids.map(run))).map((r) => r.state.life_cycle_state)).toEqual(['TERMINATED', 'RUNNING', 'QUEUED']);
    await call(ws, 'POST', '/api/2.2/jobs/runs/cancel', { body: { run_id: ids[1] } });
    await settle();
    expect(exec.aborted).toEqual([`${ids[1]}/a#0`]);
    const after = await Promise.all(ids.map(run));
    expect(after.map((r) => r.state.result_state)).toEqual(['SUCCESS', 'CANCELED', undefined]);
    expect(after[2].state.life_cycle_state).toBe('RUNNING');
    await exec.succeed(`${ids[2]}/a#0`);
    expect((await run(ids[2])).state.result_state).toBe('SUCCESS');
  });

  it('gives a pipeline task an update that runs while the task does, with flow progress at its end', async () => {
    const pipelineId = (await call(ws, 'POST', '/api/2.0/pipelines', { body: { name: 'p', serverless: true, catalog: 'main', schema: 's' } })).body.pipeline_id;
    const jobId = await createJob({ tasks: [{ task_key: 'p', pipeline_task: { pipeline_id: pipelineId } }] });
    const id = await runNow(jobId);
    await settle();
    const updates = async () => (await call(ws, 'GET', `/api/2.0/pipelines/${pipelineId}/updates`)).body.updates;
    expect((await updates())[0].state).toBe('RUNNING');
    await exec.succeed(`${id}/p#0`);
    expect((await updates())[0].state).toBe('COMPLETED');
  });
});

describe("the job's timeout_seconds", () => {
  it('ends the run TIMEDOUT: the running task is stopped and TIMEDOUT, the waiting one cancelled', async () => {
    const jobId = await createJob({ timeout_seconds: 1, tasks: [nb('slow'), nb('after', ['slow'])] });
    const id = await runNow(jobId);
    await settle();
    expect(exec.keys()).toEqual([`${id}/slow#0`]);
    // One real second: the emulator's own clock (nothing else here waits on wall time).
    let r = await run(id);
    for (const until = Date.now() + 5_000; r.state.life_cycle_state !== 'TERMINATED' && Date.now() < until; r = await run(id)) await new Promise((done) => setTimeout(done, 50));
    expect(r.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'TIMEDOUT' });
    expect(taskOf(r, 'slow').state.result_state).toBe('TIMEDOUT');
    expect(taskOf(r, 'after').state.result_state).toBe('CANCELED');
    expect(exec.aborted).toEqual([`${id}/slow#0`]);
  });
});
