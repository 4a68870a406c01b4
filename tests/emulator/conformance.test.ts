// Every response the emulator gives for an endpoint in the generated API schema must match that
// schema's response shape (extra fields allowed, as from the real service).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiAlias } from '../../src/schema/api-types.ts';
import { validateApiResponse } from '../../src/schema/validators.ts';
import { type FakeWorkspace, VirtualClock, startFakeWorkspace } from '../../src/emulator/index.ts';
import { type ApiResponse, type CallOptions, b64, call } from './client.ts';

let ws: FakeWorkspace;
let clock: VirtualClock;
beforeAll(async () => {
  clock = new VirtualClock();
  ws = await startFakeWorkspace({ clock, strictRequests: true, tokens: [{ token: 'aad-token', kind: 'aad' }] });
});
afterAll(async () => {
  await ws.close();
});

const checked = new Set<string>();

/** Calls an endpoint, expects 200, and checks the body against the schema (as plain JSON numbers). */
async function conform(alias: ApiAlias, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> {
  const res = await call(ws, method, path, options);
  expect(res.status, `${alias}: ${res.text}`).toBe(200);
  const issues = validateApiResponse(alias, res.text === '' ? {} : JSON.parse(res.text));
  expect(issues, alias).toEqual([]);
  checked.add(alias);
  return res;
}

describe('responses match the API schema', () => {
  it('through a deploy and a run of the reference job', async () => {
    ws.scenario.taskOutcome('gpt_summary', { result: 'FAILED', error: 'boom', error_trace: 'trace' });
    ws.scenario.pipeline('sales', { flows: [{ name: 'sales_silver', expectations: [{ name: 'valid', passed_records: 9, failed_records: 1 }] }] });
    await conform('workspace/mkdirs', 'POST', '/api/2.0/workspace/mkdirs', { body: { path: '/Shared/app/src' } });
    await conform('workspace/import', 'POST', '/api/2.0/workspace/import', {
      body: { path: '/Shared/app/src/gpt_summary', content: b64('print(1)'), format: 'SOURCE', language: 'PYTHON', overwrite: true },
    });
    await conform('workspace/get-status', 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/app/src/gpt_summary' } });
    await conform('workspace/list', 'GET', '/api/2.0/workspace/list', { query: { path: '/Shared/app/src' } });
    await conform('workspace/export', 'GET', '/api/2.0/workspace/export', { query: { path: '/Shared/app/src/gpt_summary' } });

    const pipeline = await conform('pipelines/create', 'POST', '/api/2.0/pipelines', { body: { name: 'sales', catalog: 'main', schema: 'silver', serverless: true } });
    const pid = pipeline.body.pipeline_id;
    await conform('pipelines/edit', 'PUT', `/api/2.0/pipelines/${pid}`, { body: { name: 'sales', catalog: 'main', schema: 'silver', serverless: true, development: true } });
    await conform('pipelines/get', 'GET', `/api/2.0/pipelines/${pid}`);
    await conform('pipelines/list', 'GET', '/api/2.0/pipelines');

    await conform('secrets/scopes/create', 'POST', '/api/2.0/secrets/scopes/create', { body: { scope: 'sales' } });
    await conform('secrets/put', 'POST', '/api/2.0/secrets/put', { body: { scope: 'sales', key: 'openai', string_value: 'v' } });
    await conform('secrets/list', 'GET', '/api/2.0/secrets/list', { query: { scope: 'sales' } });
    await conform('secrets/scopes/list', 'GET', '/api/2.0/secrets/scopes/list');
    await conform('secrets/acls/put', 'POST', '/api/2.0/secrets/acls/put', { body: { scope: 'sales', principal: 'users', permission: 'READ' } });
    await conform('secrets/acls/list', 'GET', '/api/2.0/secrets/acls/list', { query: { scope: 'sales' } });
    await conform('secrets/acls/get', 'GET', '/api/2.0/secrets/acls/get', { query: { scope: 'sales', principal: 'users' } });

    const dash = await conform('lakeview/create', 'POST', '/api/2.0/lakeview/dashboards', {
      body: { display_name: 'Sales', parent_path: '/Shared/app', serialized_dashboard: '{"pages":[]}', warehouse_id: 'wh' },
    });
    const did = dash.body.dashboard_id;
    await conform('lakeview/update', 'PATCH', `/api/2.0/lakeview/dashboards/${did}`, { body: { display_name: 'Sales', etag: dash.body.etag, serialized_dashboard: '{"pages":[]}' } });
    await conform('lakeview/publish', 'POST', `/api/2.0/lakeview/dashboards/${did}/published`, { body: { embed_credentials: false, warehouse_id: 'local' } });
    await conform('lakeview/get-published', 'GET', `/api/2.0/lakeview/dashboards/${did}/published`);
    await conform('lakeview/get', 'GET', `/api/2.0/lakeview/dashboards/${did}`);

    const tasks = [
      { task_key: 'dlt', pipeline_task: { pipeline_id: pid } },
      { task_key: 'gpt_summary', depends_on: [{ task_key: 'dlt' }], notebook_task: { notebook_path: '/Shared/app/src/gpt_summary' } },
      { task_key: 'dashboard', depends_on: [{ task_key: 'gpt_summary' }], notebook_task: { notebook_path: '/Shared/app/src/gpt_summary' } },
    ];
    const job = await conform('jobs/create', 'POST', '/api/2.2/jobs/create', { body: { name: 'Unified_Workflow_Job', tasks, queue: { enabled: true } } });
    await conform('jobs/reset', 'POST', '/api/2.2/jobs/reset', { body: { job_id: job.body.job_id, new_settings: { name: 'Unified_Workflow_Job', tasks } } });
    await conform('jobs/get', 'GET', '/api/2.2/jobs/get', { query: { job_id: job.body.job_id } });
    await conform('jobs/list', 'GET', '/api/2.2/jobs/list', { query: { expand_tasks: true } });

    const run = await conform('jobs/run-now', 'POST', '/api/2.2/jobs/run-now', { body: { job_id: job.body.job_id, idempotency_token: 't1' } });
    await conform('runs/get', 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.body.run_id } });
    clock.advance(60_000);
    const done = await conform('runs/get', 'GET', '/api/2.2/jobs/runs/get', { query: { run_id: run.body.run_id } });
    const failed = done.body.tasks.find((t: { task_key: string }) => t.task_key === 'gpt_summary');
    await conform('runs/get-output', 'GET', '/api/2.2/jobs/runs/get-output', { query: { run_id: failed.run_id } });
    await conform('runs/list', 'GET', '/api/2.2/jobs/runs/list', { query: { job_id: job.body.job_id, expand_tasks: true } });
    await conform('pipelines/list-updates', 'GET', `/api/2.0/pipelines/${pid}/updates`);
    const updates = (await call(ws, 'GET', `/api/2.0/pipelines/${pid}/updates`)).body.updates;
    await conform('pipelines/get-update', 'GET', `/api/2.0/pipelines/${pid}/updates/${updates[0].update_id}`);
    await conform('pipelines/events', 'GET', `/api/2.0/pipelines/${pid}/events`);
    await conform('runs/repair', 'POST', '/api/2.2/jobs/runs/repair', { body: { run_id: run.body.run_id, rerun_all_failed_tasks: true } });
    await conform('runs/cancel', 'POST', '/api/2.2/jobs/runs/cancel', { body: { run_id: run.body.run_id } });
    await conform('pipelines/start-update', 'POST', `/api/2.0/pipelines/${pid}/updates`, { body: { full_refresh: true } });
    await conform('pipelines/stop', 'POST', `/api/2.0/pipelines/${pid}/stop`, { body: {} });

    await conform('lakeview/unpublish', 'DELETE', `/api/2.0/lakeview/dashboards/${did}/published`);
    await conform('lakeview/trash', 'DELETE', `/api/2.0/lakeview/dashboards/${did}`);
    await conform('secrets/acls/delete', 'POST', '/api/2.0/secrets/acls/delete', { body: { scope: 'sales', principal: 'users' } });
    await conform('secrets/delete', 'POST', '/api/2.0/secrets/delete', { body: { scope: 'sales', key: 'openai' } });
    await conform('secrets/scopes/delete', 'POST', '/api/2.0/secrets/scopes/delete', { body: { scope: 'sales' } });
    await conform('jobs/delete', 'POST', '/api/2.2/jobs/delete', { body: { job_id: job.body.job_id } });
    await conform('pipelines/delete', 'DELETE', `/api/2.0/pipelines/${pid}`);
    await conform('workspace/delete', 'POST', '/api/2.0/workspace/delete', { body: { path: '/Shared/app', recursive: true } });
    expect(checked.size).toBe(44);
  });

  it('strictRequests refuses a body with an unknown field, naming it', async () => {
    const res = await call(ws, 'POST', '/api/2.2/jobs/create', { body: { name: 'j', taks: [] } });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.body.message).toContain('taks');
    expect(Object.keys(ws.state.jobs)).toHaveLength(0);
  });
});
