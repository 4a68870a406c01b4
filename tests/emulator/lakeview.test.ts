import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, startFakeWorkspace } from '../../src/emulator/index.ts';
import { call } from './client.ts';

let ws: FakeWorkspace;
beforeEach(async () => {
  ws = await startFakeWorkspace({ clock: 'virtual' });
});
afterEach(async () => {
  await ws.close();
});

const serialized = JSON.stringify({ datasets: [{ name: 'd1', displayName: 'Sales', query: 'SELECT 1' }], pages: [] });

async function createDashboard(extra: Record<string, unknown> = {}) {
  return call(ws, 'POST', '/api/2.0/lakeview/dashboards', {
    body: { display_name: 'Sales Dashboard', parent_path: '/Shared', serialized_dashboard: serialized, warehouse_id: 'wh1', ...extra },
  });
}

describe('Lakeview dashboards', () => {
  it('create puts the dashboard in the workspace tree; a missing parent is 404', async () => {
    const created = await createDashboard();
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ display_name: 'Sales Dashboard', path: '/Shared/Sales Dashboard.lvdash.json', lifecycle_state: 'ACTIVE', etag: '1' });
    expect(typeof created.body.serialized_dashboard).toBe('string');
    const status = await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: '/Shared/Sales Dashboard.lvdash.json' } });
    expect(status.body).toMatchObject({ object_type: 'DASHBOARD', resource_id: created.body.dashboard_id });
    const missing = await createDashboard({ parent_path: '/Shared/nope' });
    expect([missing.status, missing.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    const clash = await createDashboard();
    expect(clash.status).toBe(409);
  });

  it('update checks the etag and bumps it; dataset_catalog/schema re-target datasets', async () => {
    const { body } = await createDashboard();
    const stale = await call(ws, 'PATCH', `/api/2.0/lakeview/dashboards/${body.dashboard_id}`, { body: { etag: '0', display_name: 'x' } });
    expect([stale.status, stale.body.error_code]).toEqual([409, 'ABORTED']);
    const updated = await call(ws, 'PATCH', `/api/2.0/lakeview/dashboards/${body.dashboard_id}`, {
      body: { etag: '1', serialized_dashboard: serialized },
      query: { dataset_catalog: 'prod', dataset_schema: 'gold' },
    });
    expect(updated.body.etag).toBe('2');
    expect(JSON.parse(updated.body.serialized_dashboard).datasets[0]).toMatchObject({ catalog: 'prod', schema: 'gold' });
    const bad = await call(ws, 'PATCH', `/api/2.0/lakeview/dashboards/${body.dashboard_id}`, { body: { serialized_dashboard: '{not json' } });
    expect(bad.status).toBe(400);
  });

  it('publish, get published, trash', async () => {
    const { body } = await createDashboard();
    const id = body.dashboard_id;
    expect((await call(ws, 'GET', `/api/2.0/lakeview/dashboards/${id}/published`)).status).toBe(404);
    const published = await call(ws, 'POST', `/api/2.0/lakeview/dashboards/${id}/published`, { body: { embed_credentials: false, warehouse_id: 'local' } });
    expect(published.body).toMatchObject({ display_name: 'Sales Dashboard', embed_credentials: false, warehouse_id: 'local' });
    expect((await call(ws, 'GET', `/api/2.0/lakeview/dashboards/${id}/published`)).body.warehouse_id).toBe('local');
    expect((await call(ws, 'DELETE', `/api/2.0/lakeview/dashboards/${id}`)).status).toBe(200);
    const trashed = await call(ws, 'GET', `/api/2.0/lakeview/dashboards/${id}`);
    expect(trashed.body.lifecycle_state).toBe('TRASHED');
    expect((await call(ws, 'GET', `/api/2.0/lakeview/dashboards/${id}/published`)).status).toBe(404);
    expect((await call(ws, 'GET', '/api/2.0/workspace/get-status', { query: { path: body.path } })).status).toBe(404);
    expect((await call(ws, 'GET', '/api/2.0/lakeview/dashboards')).body).toEqual({});
  });

  it('an unknown dashboard is RESOURCE_DOES_NOT_EXIST', async () => {
    const res = await call(ws, 'GET', '/api/2.0/lakeview/dashboards/0123');
    expect([res.status, res.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
  });
});
