// max_concurrent_runs with and without queueing, runs/submit and the Jobs 2.1 paths, on a virtual clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, VirtualClock, startFakeWorkspace } from '../../src/emulator/index.ts';
import { call } from './client.ts';

let ws: FakeWorkspace;
let clock: VirtualClock;
beforeEach(async () => {
  clock = new VirtualClock();
  ws = await startFakeWorkspace({ clock });
  ws.scenario.defaults({ queuedMs: 0, pendingMs: 100, runningMs: 1000 });
});
afterEach(async () => {
  await ws.close();
});

const task = { task_key: 'a', condition_task: { op: 'EQUAL_TO', left: '1', right: '1' } };
const state = async (runId: unknown, version = '2.2') => (await call(ws, 'GET', `/api/${version}/jobs/runs/get`, { query: { run_id: String(runId) } })).body;

describe('max_concurrent_runs', () => {
  it('queues runs over the limit (2.2 queues by default) and starts them one after another', async () => {
    const { body } = await call(ws, 'POST', '/api/2.2/jobs/create', { body: { name: 'one at a time', max_concurrent_runs: 1, tasks: [task] } });
    expect((await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: body.job_id } })).body.settings.queue).toEqual({ enabled: true });
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: body.job_id } })).body.run_id);
    const first = await Promise.all(runs.map((r) => state(r)));
    expect(first.map((r) => r.state.life_cycle_state)).toEqual(['PENDING', 'QUEUED', 'QUEUED']);
    expect(first[1].status.queue_details.code).toBe('MAX_CONCURRENT_RUNS_REACHED');
    clock.advance(1100);
    expect((await Promise.all(runs.map((r) => state(r)))).map((r) => r.state.life_cycle_state)).toEqual(['TERMINATED', 'PENDING', 'QUEUED']);
    clock.advance(2200);
    const done = await Promise.all(runs.map((r) => state(r)));
    expect(done.map((r) => r.state.result_state)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(done[2].queue_duration).toBe(2200);
  });

  it('a cancelled run frees its slot at once for the next in the queue', async () => {
    const { body } = await call(ws, 'POST', '/api/2.2/jobs/create', { body: { name: 'j', max_concurrent_runs: 1, tasks: [task] } });
    const a = (await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: body.job_id } })).body.run_id;
    const b = (await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: body.job_id } })).body.run_id;
    clock.advance(300);
    await call(ws, 'POST', '/api/2.2/jobs/runs/cancel', { body: { run_id: a } });
    expect((await state(b)).state.life_cycle_state).toBe('PENDING');
    clock.advance(1100);
    expect((await state(b)).state.result_state).toBe('SUCCESS');
  });

  it('skips runs over the limit when queueing is off (jobs created through 2.1)', async () => {
    const { body } = await call(ws, 'POST', '/api/2.1/jobs/create', { body: { name: 'no queue', max_concurrent_runs: 1, tasks: [task] } });
    expect((await call(ws, 'GET', '/api/2.1/jobs/get', { query: { job_id: body.job_id } })).body.settings.queue).toBeUndefined();
    await call(ws, 'POST', '/api/2.1/jobs/run-now', { body: { job_id: body.job_id } });
    const second = (await call(ws, 'POST', '/api/2.1/jobs/run-now', { body: { job_id: body.job_id } })).body.run_id;
    const skipped = await state(second, '2.1');
    expect(skipped.state).toMatchObject({ life_cycle_state: 'SKIPPED', result_state: 'MAXIMUM_CONCURRENT_RUNS_REACHED' });
    expect(skipped.state.state_message).toContain('limit of 1 maximum concurrent runs');
    expect(skipped.status.termination_details.code).toBe('MAX_CONCURRENT_RUNS_EXCEEDED');
  });
});

describe('runs/submit', () => {
  it('runs tasks once without a saved job, idempotently', async () => {
    const submitted = await call(ws, 'POST', '/api/2.2/jobs/runs/submit', { body: { run_name: 'adhoc', tasks: [task], idempotency_token: 't-1' } });
    expect(submitted.status).toBe(200);
    const again = await call(ws, 'POST', '/api/2.2/jobs/runs/submit', { body: { run_name: 'adhoc', tasks: [task], idempotency_token: 't-1' } });
    expect(again.body.run_id).toBe(submitted.body.run_id);
    expect((await call(ws, 'GET', '/api/2.2/jobs/list')).body.jobs).toBeUndefined();
    clock.advance(1200);
    const run = await state(submitted.body.run_id);
    expect(run).toMatchObject({ run_name: 'adhoc', run_type: 'SUBMIT_RUN', state: { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' } });
    const bad = await call(ws, 'POST', '/api/2.2/jobs/runs/submit', { body: { run_name: 'x' } });
    expect([bad.status, bad.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });
});

describe('Jobs 2.1', () => {
  it('serves the same jobs, with every task in one read (2.2 pages them by 100)', async () => {
    const tasks = Array.from({ length: 120 }, (_, i) => ({ ...task, task_key: `t${i}` }));
    const { body } = await call(ws, 'POST', '/api/2.2/jobs/create', { body: { name: 'wide', tasks } });
    expect((await call(ws, 'GET', '/api/2.1/jobs/get', { query: { job_id: body.job_id } })).body.settings.tasks).toHaveLength(120);
    const paged = (await call(ws, 'GET', '/api/2.2/jobs/get', { query: { job_id: body.job_id } })).body;
    expect([paged.settings.tasks.length, typeof paged.next_page_token]).toEqual([100, 'string']);
  });
});
