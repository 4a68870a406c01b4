import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, TaskExecutionError, type TaskExecutionResult, type TaskExecutor, VirtualClock, startFakeWorkspace } from '../../src/emulator/index.ts';
import { call } from './client.ts';

let ws: FakeWorkspace;
let clock: VirtualClock;
beforeEach(async () => {
  clock = new VirtualClock();
  ws = await startFakeWorkspace({ clock });
  ws.scenario.defaults({ pendingMs: 100, runningMs: 1000, pipelineMs: 1000 });
});
afterEach(async () => {
  await ws.close();
});

const spec = { name: 'sales_pipeline', catalog: 'main', schema: 'silver', libraries: [{ notebook: { path: '/Shared/dlt' } }] };

async function createPipeline(body: Record<string, unknown> = spec): Promise<string> {
  const res = await call(ws, 'POST', '/api/2.0/pipelines', { body });
  expect(res.status).toBe(200);
  return res.body.pipeline_id;
}

async function events(id: string, query: Record<string, string> = {}) {
  return (await call(ws, 'GET', `/api/2.0/pipelines/${id}/events`, { query: { max_results: '100', ...query } })).body.events;
}

describe('pipelines API', () => {
  it('create, get, edit, list and delete', async () => {
    const id = await createPipeline();
    const got = await call(ws, 'GET', `/api/2.0/pipelines/${id}`);
    expect(got.body).toMatchObject({ pipeline_id: id, name: 'sales_pipeline', state: 'IDLE', spec: { ...spec, id } });
    expect((await call(ws, 'PUT', `/api/2.0/pipelines/${id}`, { body: { ...spec, name: 'renamed', development: true } })).status).toBe(200);
    expect((await call(ws, 'GET', `/api/2.0/pipelines/${id}`)).body.spec).toMatchObject({ name: 'renamed', development: true });
    const listed = await call(ws, 'GET', '/api/2.0/pipelines', { query: { filter: "name LIKE 'ren%'" } });
    expect(listed.body.statuses.map((s: { pipeline_id: string }) => s.pipeline_id)).toEqual([id]);
    expect((await call(ws, 'GET', '/api/2.0/pipelines', { query: { max_results: 101 } })).status).toBe(400);
    expect((await call(ws, 'DELETE', `/api/2.0/pipelines/${id}`)).status).toBe(200);
    const gone = await call(ws, 'GET', `/api/2.0/pipelines/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('refuses a duplicate name unless allow_duplicate_names, and a stale expected_last_modified', async () => {
    const id = await createPipeline();
    const dup = await call(ws, 'POST', '/api/2.0/pipelines', { body: spec });
    expect(dup.status).toBe(409);
    expect((await call(ws, 'POST', '/api/2.0/pipelines', { body: { ...spec, allow_duplicate_names: true } })).status).toBe(200);
    const stale = await call(ws, 'PUT', `/api/2.0/pipelines/${id}`, { body: { ...spec, expected_last_modified: 1 } });
    expect(stale.status).toBe(409);
    const dryRun = await call(ws, 'POST', '/api/2.0/pipelines', { body: { ...spec, name: 'other', dry_run: true } });
    expect(dryRun.body.effective_settings.name).toBe('other');
    expect(Object.keys(ws.state.pipelines)).toHaveLength(2);
  });

  it('an update progresses to COMPLETED and logs flow_progress with expectation metrics', async () => {
    const id = await createPipeline();
    ws.scenario.pipeline('sales_pipeline', {
      flows: [
        { name: 'sales_silver', output_records: 95, dropped_records: 5, expectations: [{ name: 'valid_qty', passed_records: 95, failed_records: 5 }] },
        { name: 'products_silver', output_records: 10 },
      ],
    });
    const started = await call(ws, 'POST', `/api/2.0/pipelines/${id}/updates`, { body: { full_refresh: true } });
    const updateId = started.body.update_id;
    const get = async () => (await call(ws, 'GET', `/api/2.0/pipelines/${id}/updates/${updateId}`)).body.update;
    expect((await get()).state).toBe('WAITING_FOR_RESOURCES');
    expect((await call(ws, 'GET', `/api/2.0/pipelines/${id}`)).body.state).toBe('RUNNING');
    const busy = await call(ws, 'POST', `/api/2.0/pipelines/${id}/updates`, { body: {} });
    expect(busy.status).toBe(409);
    clock.advance(400);
    expect((await get()).state).toBe('RUNNING');
    clock.advance(600);
    expect(await get()).toMatchObject({ state: 'COMPLETED', full_refresh: true, cause: 'API_CALL' });

    const log = await events(id, { order_by: 'timestamp asc' });
    const progress = log.filter((e: { event_type: string }) => e.event_type === 'update_progress').map((e: { details: { update_progress: { state: string } } }) => e.details.update_progress.state);
    expect(progress).toEqual(['WAITING_FOR_RESOURCES', 'INITIALIZING', 'SETTING_UP_TABLES', 'RUNNING', 'COMPLETED']);
    const completed = log.find((e: { event_type: string; origin: { flow_name?: string }; details: { flow_progress?: { status: string } } }) =>
      e.event_type === 'flow_progress' && e.origin.flow_name === 'sales_silver' && e.details.flow_progress?.status === 'COMPLETED');
    expect(completed.details.flow_progress.data_quality).toEqual({
      dropped_records: 5,
      expectations: [{ name: 'valid_qty', dataset: 'sales_silver', passed_records: 95, failed_records: 5 }],
    });
    expect(completed.origin.update_id).toBe(updateId);
    const newestFirst = await events(id);
    expect(newestFirst[0].details.update_progress.state).toBe('COMPLETED');
  });

  it('a failing flow fails the update with an ERROR event; the log filters by level', async () => {
    const id = await createPipeline();
    ws.scenario.pipeline(id, { flows: [{ name: 'sales_silver', error: "Expectation 'valid_price' failed (action fail)" }] });
    const { body } = await call(ws, 'POST', `/api/2.0/pipelines/${id}/updates`, { body: {} });
    clock.advance(5000);
    const update = (await call(ws, 'GET', `/api/2.0/pipelines/${id}/updates/${body.update_id}`)).body.update;
    expect(update.state).toBe('FAILED');
    const errors = await events(id, { filter: "level='ERROR'" });
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.every((e: { level: string }) => e.level === 'ERROR')).toBe(true);
    expect(JSON.stringify(errors)).toContain('valid_price');
  });

  it('stop cancels the active update', async () => {
    const id = await createPipeline();
    const { body } = await call(ws, 'POST', `/api/2.0/pipelines/${id}/updates`, { body: {} });
    clock.advance(200);
    await call(ws, 'POST', `/api/2.0/pipelines/${id}/stop`, { body: {} });
    clock.advance(5000);
    const update = (await call(ws, 'GET', `/api/2.0/pipelines/${id}/updates/${body.update_id}`)).body.update;
    expect(update.state).toBe('CANCELED');
    expect((await call(ws, 'GET', `/api/2.0/pipelines/${id}`)).body.state).toBe('IDLE');
  });

  it('a job pipeline task creates an update that follows the task, with the scripted metrics', async () => {
    const id = await createPipeline();
    ws.scenario.pipeline('sales_pipeline', { flows: [{ name: 'sales_bronze', output_records: 100, expectations: [{ name: 'not_null', passed_records: 100, failed_records: 0 }] }] });
    const job = await call(ws, 'POST', '/api/2.2/jobs/create', {
      body: { name: 'j', tasks: [{ task_key: 'dlt', pipeline_task: { pipeline_id: id, full_refresh: false } }] },
    });
    const run = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: job.body.job_id } });
    expect((await call(ws, 'GET', `/api/2.0/pipelines/${id}/updates`)).body).toEqual({});
    clock.advance(100);
    const updates = (await call(ws, 'GET', `/api/2.0/pipelines/${id}/updates`)).body.updates;
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ cause: 'JOB_TASK', state: 'WAITING_FOR_RESOURCES' });
    clock.advance(1000);
    const got = await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.body.run_id } });
    expect(got.body.state.result_state).toBe('SUCCESS');
    expect((await call(ws, 'GET', `/api/2.0/pipelines/${id}/updates/${updates[0].update_id}`)).body.update.state).toBe('COMPLETED');
    const flow = (await events(id)).find((e: { details: { flow_progress?: { status: string } } }) => e.details.flow_progress?.status === 'COMPLETED');
    expect(flow.details.flow_progress.data_quality.expectations[0].name).toBe('not_null');
  });

  it('a job pipeline task fails when its pipeline update fails, or when the pipeline is missing', async () => {
    const id = await createPipeline();
    ws.scenario.pipeline(id, { result: 'FAILED', error: 'table not found' });
    const job = await call(ws, 'POST', '/api/2.2/jobs/create', {
      body: { name: 'j', tasks: [{ task_key: 'dlt', pipeline_task: { pipeline_id: id } }, { task_key: 'ghost', pipeline_task: { pipeline_id: 'nope' } }] },
    });
    const run = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: job.body.job_id } });
    clock.advance(5000);
    const got = (await call(ws, 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.body.run_id } })).body;
    const byKey = Object.fromEntries(got.tasks.map((t: { task_key: string }) => [t.task_key, t]));
    expect(byKey.dlt.state.result_state).toBe('FAILED');
    expect(byKey.ghost.status.termination_details.code).toBe('RESOURCE_NOT_FOUND');
    const output = await call(ws, 'GET', '/api/2.2/jobs/runs/get-output', { query: { run_id: byKey.dlt.run_id } });
    expect(output.body.error).toBe('table not found');
  });

  it('cancelling a run cancels the pipeline update its task started', async () => {
    const id = await createPipeline();
    const job = await call(ws, 'POST', '/api/2.2/jobs/create', { body: { name: 'j', tasks: [{ task_key: 'dlt', pipeline_task: { pipeline_id: id } }] } });
    const run = await call(ws, 'POST', '/api/2.2/jobs/run-now', { body: { job_id: job.body.job_id } });
    clock.advance(500);
    await call(ws, 'POST', '/api/2.2/jobs/runs/cancel', { body: { run_id: run.body.run_id } });
    clock.advance(5000);
    const updates = (await call(ws, 'GET', `/api/2.0/pipelines/${id}/updates`)).body.updates;
    expect(updates[0].state).toBe('CANCELED');
  });
});

describe('pipeline events paging', () => {
  it('a next page keeps the first request order and filter (the SDK sends only page_token)', async () => {
    const id = await createPipeline();
    ws.scenario.pipeline('sales_pipeline', { flows: [{ name: 'a', output_records: 1 }, { name: 'b', output_records: 2 }] });
    await call(ws, 'POST', `/api/2.0/pipelines/${id}/updates`, { body: {} });
    clock.advance(2000);
    const all = await events(id, { order_by: 'timestamp asc' });
    const paged: { id: string }[] = [];
    let token: string | undefined;
    do {
      const query: Record<string, string> = token ? { page_token: token, max_results: '3' } : { order_by: 'timestamp asc', max_results: '3' };
      const page = (await call(ws, 'GET', `/api/2.0/pipelines/${id}/events`, { query })).body;
      paged.push(...page.events);
      token = page.next_page_token;
    } while (token);
    expect(paged.map((e) => e.id)).toEqual(all.map((e: { id: string }) => e.id));
    const bad = await call(ws, 'GET', `/api/2.0/pipelines/${id}/events`, { query: { page_token: 'nonsense' } });
    expect([bad.status, bad.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });
});

describe('pipeline updates on a workspace that executes them', () => {
  type Progress = Parameters<NonNullable<TaskExecutor['updatePipeline']>>[0];
  let executing: FakeWorkspace;
  let started: Progress[];
  let finish: ((result: TaskExecutionResult | Error) => void)[];
  beforeEach(async () => {
    started = [];
    finish = [];
    const executor: TaskExecutor = {
      execute: async () => ({}),
      updatePipeline: (update) =>
        new Promise((resolve, reject) => {
          started.push(update);
          update.progress('INITIALIZING');
          finish.push((result) => {
            if (result instanceof Error) reject(result);
            else {
              update.progress('SETTING_UP_TABLES');
              update.progress('RUNNING');
              resolve(result);
            }
          });
          update.signal.addEventListener('abort', () => reject(new Error('stopped')));
        }),
    };
    executing = await startFakeWorkspace({ runs: executor });
  });
  afterEach(async () => {
    await executing.close();
  });

  const get = async (path: string) => (await call(executing, 'GET', path)).body;
  const states = async (id: string, updateId: string) =>
    ((await get(`/api/2.0/pipelines/${id}/events?order_by=timestamp%20asc&max_results=100`)).events as { origin: { update_id: string }; details: { update_progress?: { state: string } } }[])
      .filter((e) => e.origin.update_id === updateId)
      .flatMap((e) => (e.details.update_progress ? [e.details.update_progress.state] : []));

  it('runs the update on the executor with the request fields; its states and flows follow the execution', async () => {
    const id = (await call(executing, 'POST', '/api/2.0/pipelines', { body: spec })).body.pipeline_id;
    const body = { full_refresh_selection: ['silver.a'], refresh_selection: ['b'] };
    const updateId = (await call(executing, 'POST', `/api/2.0/pipelines/${id}/updates`, { body })).body.update_id;
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ pipeline_id: id, update_id: updateId, full_refresh: false, validate_only: false, ...body });
    expect((await get(`/api/2.0/pipelines/${id}/updates/${updateId}`)).update.state).toBe('INITIALIZING');
    expect((await get(`/api/2.0/pipelines/${id}`)).state).toBe('RUNNING');
    const busy = await call(executing, 'POST', `/api/2.0/pipelines/${id}/updates`, { body: {} });
    expect(busy.status).toBe(409);
    finish[0]!({ flows: [{ name: 'a', dataset: 'silver.a', output_records: 7, expectations: [{ name: 'e', passed_records: 7, failed_records: 1 }] }] });
    await executing.store.commit();
    await new Promise((r) => setImmediate(r));
    expect((await get(`/api/2.0/pipelines/${id}/updates/${updateId}`)).update.state).toBe('COMPLETED');
    expect(await states(id, updateId)).toEqual(['WAITING_FOR_RESOURCES', 'INITIALIZING', 'SETTING_UP_TABLES', 'RUNNING', 'COMPLETED']);
    const flow = ((await get(`/api/2.0/pipelines/${id}/events?max_results=100`)).events as { details: { flow_progress?: { status: string; metrics: unknown; data_quality: unknown } } }[]).find(
      (e) => e.details.flow_progress?.status === 'COMPLETED',
    );
    expect(flow?.details.flow_progress).toMatchObject({ metrics: { num_output_rows: 7 }, data_quality: { expectations: [{ name: 'e', dataset: 'silver.a', passed_records: 7, failed_records: 1 }] } });
  });

  it('a failed execution fails the update with its error; stop cancels (STOPPING, then CANCELED)', async () => {
    const id = (await call(executing, 'POST', '/api/2.0/pipelines', { body: spec })).body.pipeline_id;
    const failing = (await call(executing, 'POST', `/api/2.0/pipelines/${id}/updates`, { body: {} })).body.update_id;
    finish[0]!(new TaskExecutionError('ExpectationFailedError: expectation positive_quantity failed', { flows: [{ name: 'orders', error: 'positive_quantity failed' }] }));
    await new Promise((r) => setImmediate(r));
    expect((await get(`/api/2.0/pipelines/${id}/updates/${failing}`)).update.state).toBe('FAILED');
    const errors = (await get(`/api/2.0/pipelines/${id}/events?filter=level%3D'ERROR'`)).events as { event_type: string; error: unknown }[];
    expect(errors.map((e) => e.event_type).sort()).toEqual(['flow_progress', 'update_progress']);
    expect(JSON.stringify(errors)).toContain('positive_quantity');

    const stopped = (await call(executing, 'POST', `/api/2.0/pipelines/${id}/updates`, { body: {} })).body.update_id;
    expect((await call(executing, 'POST', `/api/2.0/pipelines/${id}/stop`, { body: {} })).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    expect((await get(`/api/2.0/pipelines/${id}/updates/${stopped}`)).update.state).toBe('CANCELED');
    expect(await states(id, stopped)).toEqual(['WAITING_FOR_RESOURCES', 'INITIALIZING', 'STOPPING', 'CANCELED']);
    expect((await get(`/api/2.0/pipelines/${id}`)).state).toBe('IDLE');
  });
});
