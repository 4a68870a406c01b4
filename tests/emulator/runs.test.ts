import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, VirtualClock, startFakeWorkspace } from '../../src/emulator/index.ts';
import { b64, call } from './client.ts';

let ws: FakeWorkspace;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock();
  ws = await startFakeWorkspace({ clock });
  ws.scenario.defaults({ queuedMs: 0, pendingMs: 100, runningMs: 1000 });
  await call(ws, 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/nb' } });
  for (const name of ['ingest', 'transform', 'gpt_summary', 'publish']) {
    await call(ws, 'POST', '/api/2.0/workspace/import', {
      body: { path: `/Shared/nb/${name}`, content: b64('print(1)'), format: 'SOURCE', language: 'PYTHON' },
    });
  }
});
afterEach(async () => {
  await ws.close();
});

const nbTask = (key: string, deps: string[] = [], extra: Record<string, unknown> = {}) => ({
  task_key: key,
  notebook_task: { notebook_path: `/Shared/nb/${key}` },
  ...(deps.length > 0 ? { depends_on: deps.map((d) => ({ task_key: d })) } : {}),
  ...extra,
});

/** ingest → transform → gpt_summary → publish */
async function createChainJob(extra: Record<string, unknown>[] = []): Promise<bigint> {
  const res = await call(ws, 'POST', '/api/2.2/jobs/create', {
    body: {
      name: 'Unified_Workflow_Job',
      tasks: [nbTask('ingest'), nbTask('transform', ['ingest']), nbTask('gpt_summary', ['transform']), nbTask('publish', ['gpt_summary']), ...extra],
    },
  });
  expect(res.status).toBe(200);
  return BigInt(res.body.job_id);
}

async function runNow(jobId: bigint, extra: Record<string, unknown> = {}): Promise<bigint> {
  const res = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: jobId, ...extra } });
  expect(res.status).toBe(200);
  return BigInt(res.body.run_id);
}

async function getRun(runId: bigint) {
  const res = await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: runId } });
  expect(res.status).toBe(200);
  return res.body;
}

function taskStates(run: { tasks: { task_key: string; state: { life_cycle_state: string; result_state?: string } }[] }) {
  return Object.fromEntries(run.tasks.map((t) => [t.task_key, [t.state.life_cycle_state, t.state.result_state].filter(Boolean).join('/')]));
}

describe('simulated job runs', () => {
  it('progress through PENDING, RUNNING and TERMINATED in dependency order', async () => {
    const runId = await runNow(await createChainJob());
    let run = await getRun(runId);
    expect(run.state.life_cycle_state).toBe('PENDING');
    expect(run.status.state).toBe('PENDING');
    expect(taskStates(run)).toEqual({ ingest: 'PENDING', transform: 'BLOCKED', gpt_summary: 'BLOCKED', publish: 'BLOCKED' });

    clock.advance(100);
    run = await getRun(runId);
    expect(run.state.life_cycle_state).toBe('RUNNING');
    expect(taskStates(run).ingest).toBe('RUNNING');

    clock.advance(1000);
    run = await getRun(runId);
    expect(taskStates(run)).toMatchObject({ ingest: 'TERMINATED/SUCCESS', transform: 'PENDING' });

    clock.advance(3 * 1100);
    run = await getRun(runId);
    expect(run.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' });
    expect(run.status).toMatchObject({ state: 'TERMINATED', termination_details: { code: 'SUCCESS', type: 'SUCCESS' } });
    expect(Object.values(taskStates(run))).toEqual(Array(4).fill('TERMINATED/SUCCESS'));
    expect(run.end_time - run.start_time).toBe(4 * 1100);
    expect(run.run_page_url).toContain(`#job/${run.job_id}/run/${runId}`);
    const ingest = run.tasks.find((t: { task_key: string }) => t.task_key === 'ingest');
    expect(ingest).toMatchObject({ setup_duration: 100, execution_duration: 1000, attempt_number: 0 });
  });

  it('a failed task skips its dependents as UPSTREAM_FAILED and explains itself in get-output', async () => {
    ws.scenario.taskOutcome('gpt_summary', { result: 'FAILED', error: 'RateLimitError: quota exceeded', error_trace: 'Traceback ...\nRateLimitError' });
    const runId = await runNow(await createChainJob());
    clock.advance(10_000);
    const run = await getRun(runId);
    expect(taskStates(run)).toEqual({
      ingest: 'TERMINATED/SUCCESS',
      transform: 'TERMINATED/SUCCESS',
      gpt_summary: 'TERMINATED/FAILED',
      publish: 'SKIPPED/UPSTREAM_FAILED',
    });
    expect(run.state.result_state).toBe('FAILED');
    expect(run.state.state_message).toContain('Task gpt_summary failed');
    expect(run.status.termination_details).toMatchObject({ code: 'RUN_EXECUTION_ERROR', type: 'CLIENT_ERROR' });

    const failed = run.tasks.find((t: { task_key: string }) => t.task_key === 'gpt_summary');
    const output = await call(ws, 'GET', '/api/2.2/jobs/runs/get-output', { query: { run_id: BigInt(failed.run_id) } });
    expect(output.body.error).toBe('RateLimitError: quota exceeded');
    expect(output.body.error_trace).toContain('Traceback');
    expect(output.body.metadata.task_key).toBe('gpt_summary');

    const whole = await call(ws, 'GET', '/api/2.2/jobs/runs/get-output', { query: { run_id: runId } });
    expect(whole.status).toBe(400);
    expect(whole.body.message).toContain('multiple tasks');
  });

  it('run_if ALL_DONE still runs after a failure, and all-successful leaves make SUCCESS_WITH_FAILURES', async () => {
    ws.scenario.taskOutcome('ingest', { result: 'FAILED' });
    const res = await call(ws, 'POST', '/api/2.2/jobs/create', {
      body: { name: 'j', tasks: [nbTask('ingest'), nbTask('transform', ['ingest'], { run_if: 'ALL_DONE' })] },
    });
    const runId = await runNow(BigInt(res.body.job_id));
    clock.advance(5000);
    const run = await getRun(runId);
    expect(taskStates(run)).toEqual({ ingest: 'TERMINATED/FAILED', transform: 'TERMINATED/SUCCESS' });
    expect(run.state.result_state).toBe('SUCCESS_WITH_FAILURES');
  });

  it('retries a failed task per max_retries, each attempt with its own run id', async () => {
    ws.scenario.taskOutcome('ingest', [{ result: 'FAILED' }, { result: 'SUCCESS' }]);
    const res = await call(ws, 'POST', '/api/2.2/jobs/create', {
      body: { name: 'j', tasks: [nbTask('ingest', [], { max_retries: 2, min_retry_interval_millis: 500 })] },
    });
    const runId = await runNow(BigInt(res.body.job_id));
    clock.advance(1100);
    let run = await getRun(runId);
    expect(run.tasks.map((t: { attempt_number: number; state: { life_cycle_state: string } }) => [t.attempt_number, t.state.life_cycle_state])).toEqual([
      [0, 'TERMINATED'],
      [1, 'WAITING_FOR_RETRY'],
    ]);
    clock.advance(2000);
    run = await getRun(runId);
    expect(run.state.result_state).toBe('SUCCESS');
    expect(new Set(run.tasks.map((t: { run_id: bigint }) => String(t.run_id))).size).toBe(2);
  });

  it('the same idempotency token returns the same run', async () => {
    const jobId = await createChainJob();
    const first = await runNow(jobId, { idempotency_token: 'deploy-42' });
    const second = await runNow(jobId, { idempotency_token: 'deploy-42' });
    const third = await runNow(jobId, { idempotency_token: 'deploy-43' });
    expect(second).toBe(first);
    expect(third).not.toBe(first);
    expect(Object.keys(ws.state.runs)).toHaveLength(2);
  });

  it('cancel ends a running run as CANCELED and skips what had not started', async () => {
    const runId = await runNow(await createChainJob());
    clock.advance(1500);
    expect((await call(ws, 'POST', '/api/2.2/jobs/runs/cancel', { body: { run_id: runId } })).status).toBe(200);
    const run = await getRun(runId);
    expect(run.state).toMatchObject({ life_cycle_state: 'TERMINATED', result_state: 'CANCELED' });
    expect(run.status.termination_details.code).toBe('USER_CANCELED');
    expect(taskStates(run)).toEqual({
      ingest: 'TERMINATED/SUCCESS',
      transform: 'TERMINATED/CANCELED',
      gpt_summary: 'SKIPPED/CANCELED',
      publish: 'SKIPPED/CANCELED',
    });
    clock.advance(60_000);
    expect((await getRun(runId)).end_time).toBe(run.end_time);
  });

  it('runs/list filters active and completed runs and pages by token', async () => {
    const jobId = await createChainJob();
    const done = await runNow(jobId);
    clock.advance(10_000);
    const active = await runNow(jobId);
    const act = await call(ws, 'GET', '/api/2.2/jobs/runs/list', { query: { job_id: jobId, active_only: true } });
    expect(act.body.runs.map((r: { run_id: bigint }) => BigInt(r.run_id))).toEqual([active]);
    expect(act.body.runs[0].tasks).toBeUndefined();
    const completed = await call(ws, 'GET', '/api/2.2/jobs/runs/list', { query: { job_id: jobId, completed_only: true } });
    expect(completed.body.runs.map((r: { run_id: bigint }) => BigInt(r.run_id))).toEqual([done]);
    const both = await call(ws, 'GET', '/api/2.2/jobs/runs/list', { query: { active_only: true, completed_only: true } });
    expect(both.status).toBe(400);
    const page1 = await call(ws, 'GET', '/api/2.2/jobs/runs/list', { query: { job_id: jobId, limit: 1 } });
    expect(page1.body.has_more).toBe(true);
    const page2 = await call(ws, 'GET', '/api/2.2/jobs/runs/list', { query: { job_id: jobId, limit: 1, page_token: page1.body.next_page_token } });
    expect(page2.body.has_more).toBe(false);
    expect(BigInt(page2.body.runs[0].run_id)).toBe(done);
  });

  it('runs/get pages more than 100 tasks with next_page_token', async () => {
    const tasks = Array.from({ length: 150 }, (_, i) => ({ task_key: `t${String(i).padStart(3, '0')}`, condition_task: { op: 'EQUAL_TO', left: '1', right: '1' } }));
    const res = await call(ws, 'POST', '/api/2.2/jobs/create', { body: { name: 'wide', tasks } });
    const runId = await runNow(BigInt(res.body.job_id));
    const first = await getRun(runId);
    expect(first.tasks).toHaveLength(100);
    expect(first.next_page_token).toBeTruthy();
    const second = await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: runId, page_token: first.next_page_token } });
    expect(second.body.tasks).toHaveLength(50);
    expect(second.body.next_page_token).toBeUndefined();
    const keys = [...first.tasks, ...second.body.tasks].map((t: { task_key: string }) => t.task_key);
    expect(new Set(keys).size).toBe(150);
  });

  it('repair re-runs the failed task and its skipped dependents', async () => {
    ws.scenario.taskOutcome('gpt_summary', [{ result: 'FAILED' }, { result: 'SUCCESS' }]);
    const runId = await runNow(await createChainJob());
    clock.advance(10_000);
    const early = await call(ws, 'POST', '/api/2.2/jobs/runs/repair', { body: { run_id: runId, rerun_all_failed_tasks: true } });
    expect(early.status).toBe(200);
    const repairId = BigInt(early.body.repair_id);
    let run = await getRun(runId);
    expect(run.state.life_cycle_state).toBe('RUNNING');
    const latest = (key: string) => run.tasks.filter((t: { task_key: string }) => t.task_key === key).at(-1).state.life_cycle_state;
    expect([latest('ingest'), latest('gpt_summary'), latest('publish')]).toEqual(['TERMINATED', 'PENDING', 'BLOCKED']);
    clock.advance(10_000);
    run = await getRun(runId);
    expect(run.state.result_state).toBe('SUCCESS');
    expect(run.repair_history.map((r: { type: string }) => r.type)).toEqual(['ORIGINAL', 'REPAIR']);
    expect(BigInt(run.repair_history[1].id)).toBe(repairId);
    const again = await call(ws, 'POST', '/api/2.2/jobs/runs/repair', { body: { run_id: runId, rerun_tasks: ['publish'] } });
    expect(again.status).toBe(400);
    expect(again.body.message).toContain('latest_repair_id');
  });

  it('a run that cannot be repaired yet is INVALID_STATE', async () => {
    const runId = await runNow(await createChainJob());
    const res = await call(ws, 'POST', '/api/2.2/jobs/runs/repair', { body: { run_id: runId, rerun_tasks: ['ingest'] } });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('INVALID_STATE');
  });

  it('a notebook task whose notebook is missing fails with RESOURCE_NOT_FOUND', async () => {
    const res = await call(ws, 'POST', '/api/2.2/jobs/create', {
      body: { name: 'j', tasks: [{ task_key: 'x', notebook_task: { notebook_path: '/Shared/nb/nope' } }] },
    });
    const runId = await runNow(BigInt(res.body.job_id));
    clock.advance(5000);
    const run = await getRun(runId);
    expect(run.tasks[0].state.result_state).toBe('FAILED');
    expect(run.tasks[0].status.termination_details.code).toBe('RESOURCE_NOT_FOUND');
    expect(run.tasks[0].state.state_message).toContain('/Shared/nb/nope');
  });

  it('missing jobs and runs are 400 INVALID_PARAMETER_VALUE, as in Databricks', async () => {
    const job = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: 123 } });
    expect(job.status).toBe(400);
    expect(job.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Job 123 does not exist.' });
    const run = await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: 77 } });
    expect(run.status).toBe(400);
    expect(run.body.message).toBe('Run 77 does not exist.');
  });

  it('a queued run reports QUEUED until its queue time passes', async () => {
    ws.scenario.defaults({ queuedMs: 300 });
    const runId = await runNow(await createChainJob());
    expect((await getRun(runId)).state.life_cycle_state).toBe('QUEUED');
    clock.advance(300);
    expect((await getRun(runId)).state.life_cycle_state).toBe('PENDING');
  });

  it('job parameters resolve against the job definition; unknown ones are refused', async () => {
    const res = await call(ws, 'POST', '/api/2.2/jobs/create', {
      body: { name: 'j', parameters: [{ name: 'env', default: 'dev' }], tasks: [nbTask('ingest')] },
    });
    const jobId = BigInt(res.body.job_id);
    const runId = await runNow(jobId, { job_parameters: { env: 'prod' } });
    expect((await getRun(runId)).job_parameters).toEqual([{ name: 'env', default: 'dev', value: 'prod' }]);
    const bad = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: jobId, job_parameters: { nope: '1' } } });
    expect(bad.status).toBe(400);
  });

  it('a condition task is evaluated in a simulated run too: the branch not taken is EXCLUDED, runs/get shows the outcome', async () => {
    const res = await call(ws, 'POST', '/api/2.2/jobs/create', {
      body: {
        name: 'j',
        parameters: [{ name: 'rows', default: '0' }],
        tasks: [
          { task_key: 'check', condition_task: { op: 'GREATER_THAN', left: '{{job.parameters.rows}}', right: '10' } },
          nbTask('ingest', [], { depends_on: [{ task_key: 'check', outcome: 'true' }] }),
          nbTask('publish', [], { depends_on: [{ task_key: 'check', outcome: 'false' }] }),
        ],
      },
    });
    const jobId = BigInt(res.body.job_id);
    const big = await runNow(jobId, { job_parameters: { rows: '12' } });
    clock.advance(10_000);
    let run = await getRun(big);
    expect(taskStates(run)).toEqual({ check: 'TERMINATED/SUCCESS', ingest: 'TERMINATED/SUCCESS', publish: 'SKIPPED/EXCLUDED' });
    expect(run.tasks.find((t: { task_key: string }) => t.task_key === 'check').condition_task.outcome).toBe('true');
    const notNumber = await runNow(jobId, { job_parameters: { rows: 'many' } });
    clock.advance(10_000);
    run = await getRun(notNumber);
    expect(taskStates(run)).toEqual({ check: 'TERMINATED/FAILED', ingest: 'SKIPPED/UPSTREAM_FAILED', publish: 'SKIPPED/UPSTREAM_FAILED' });
    expect(run.tasks[0].state.state_message).toContain('left operand "many" is not a number');
  });
});
