// Unity Catalog in the fake workspace: catalogs, schemas and volumes with Databricks' rules, grants and the
// Permissions API.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, startFakeWorkspace } from '../../src/emulator/index.ts';
import { call } from './client.ts';

const UC = '/api/2.1/unity-catalog';
let ws: FakeWorkspace;
afterEach(async () => {
  await ws.close();
});

describe('Unity Catalog', () => {
  it('creates schemas in existing catalogs only, lower-cases names, and refuses duplicates', async () => {
    ws = await startFakeWorkspace({ unityCatalog: { catalogs: ['sales'] }, strictRequests: true });
    const missing = await call(ws, 'POST', `${UC}/schemas`, { body: { catalog_name: 'nope', name: 'bronze' } });
    expect([missing.status, missing.body.error_code]).toEqual([404, 'CATALOG_DOES_NOT_EXIST']);
    const created = await call(ws, 'POST', `${UC}/schemas`, { body: { catalog_name: 'sales', name: 'Bronze', comment: 'raw', properties: { a: '1' } } });
    expect(created.body).toMatchObject({ name: 'bronze', catalog_name: 'sales', full_name: 'sales.bronze', comment: 'raw', properties: { a: '1' } });
    const again = await call(ws, 'POST', `${UC}/schemas`, { body: { catalog_name: 'sales', name: 'bronze' } });
    expect([again.status, again.body.error_code]).toEqual([409, 'SCHEMA_ALREADY_EXISTS']);
    const bad = await call(ws, 'POST', `${UC}/schemas`, { body: { catalog_name: 'sales', name: 'a.b' } });
    expect(bad.status).toBe(400);
    const updated = await call(ws, 'PATCH', `${UC}/schemas/sales.bronze`, { body: { comment: 'landing records' } });
    expect(updated.body.comment).toBe('landing records');
    const listed = await call(ws, 'GET', `${UC}/schemas`, { query: { catalog_name: 'sales' } });
    expect(listed.body.schemas.map((s: { full_name: string }) => s.full_name)).toEqual(['sales.bronze']);
  });

  it('creates volumes in a schema; deleting a schema that has some needs force and takes their files', async () => {
    ws = await startFakeWorkspace({ unityCatalog: { catalogs: ['sales'] }, strictRequests: true });
    await call(ws, 'POST', `${UC}/schemas`, { body: { catalog_name: 'sales', name: 'landing' } });
    const managed = await call(ws, 'POST', `${UC}/volumes`, { body: { catalog_name: 'sales', schema_name: 'landing', name: 'raw', volume_type: 'MANAGED' } });
    expect(managed.body).toMatchObject({ full_name: 'sales.landing.raw', volume_type: 'MANAGED' });
    expect(managed.body.storage_location).toMatch(/^abfss:/);
    const external = await call(ws, 'POST', `${UC}/volumes`, { body: { catalog_name: 'sales', schema_name: 'landing', name: 'ext', volume_type: 'EXTERNAL' } });
    expect(external.status).toBe(400);
    expect((await call(ws, 'PUT', '/api/2.0/fs/files/Volumes/sales/landing/raw/a/b.parquet', { raw: 'x' })).status).toBe(204);
    const renamed = await call(ws, 'PATCH', `${UC}/volumes/sales.landing.raw`, { body: { new_name: 'files' } });
    expect(renamed.body.full_name).toBe('sales.landing.files');
    expect(Object.keys(ws.state.volumes.files)).toEqual(['/Volumes/sales/landing/files/a/b.parquet']);
    const refused = await call(ws, 'DELETE', `${UC}/schemas/sales.landing`);
    expect([refused.status, refused.body.error_code]).toEqual([400, 'SCHEMA_NOT_EMPTY']);
    expect((await call(ws, 'DELETE', `${UC}/schemas/sales.landing`, { query: { force: true } })).status).toBe(200);
    expect(ws.state.unityCatalog!.volumes).toEqual({});
    expect(ws.state.volumes.files).toEqual({});
    const gone = await call(ws, 'GET', `${UC}/volumes/sales.landing.files`);
    expect(gone.status).toBe(404);
  });

  it('on the local workspace every catalog exists on demand', async () => {
    ws = await startFakeWorkspace({ catalogsOnDemand: true });
    expect((await call(ws, 'GET', `${UC}/catalogs/anything`)).body.name).toBe('anything');
    expect((await call(ws, 'POST', `${UC}/schemas`, { body: { catalog_name: 'other', name: 's' } })).status).toBe(200);
  });

  it('grants add and remove privileges per principal, and refuse what a volume cannot take', async () => {
    ws = await startFakeWorkspace({ unityCatalog: { volumes: ['sales.landing.raw'] }, strictRequests: true });
    const path = `${UC}/permissions/schema/sales.landing`;
    const added = await call(ws, 'PATCH', path, { body: { changes: [{ principal: 'analysts', add: ['USE_SCHEMA', 'SELECT'] }, { principal: 'bob', add: ['MODIFY'] }] } });
    expect(added.body.privilege_assignments).toEqual([
      { principal: 'analysts', privileges: ['SELECT', 'USE_SCHEMA'] },
      { principal: 'bob', privileges: ['MODIFY'] },
    ]);
    await call(ws, 'PATCH', path, { body: { changes: [{ principal: 'bob', remove: ['ALL_PRIVILEGES'] }, { principal: 'analysts', remove: ['SELECT'] }] } });
    expect((await call(ws, 'GET', path)).body.privilege_assignments).toEqual([{ principal: 'analysts', privileges: ['USE_SCHEMA'] }]);
    const wrong = await call(ws, 'PATCH', `${UC}/permissions/volume/sales.landing.raw`, { body: { changes: [{ principal: 'a', add: ['SELECT'] }] } });
    expect(wrong.status).toBe(400);
    expect((await call(ws, 'GET', `${UC}/permissions/schema/sales.nope`)).status).toBe(404);
  });
});

describe('Permissions API', () => {
  it('shows the creator as owner, replaces the direct entries, and wants exactly one owner of a job', async () => {
    ws = await startFakeWorkspace({ strictRequests: true });
    const { body } = await call(ws, 'POST', '/api/2.2/jobs/create', { body: { name: 'j' } });
    const path = `/api/2.0/permissions/jobs/${String(body.job_id)}`;
    const initial = await call(ws, 'GET', path);
    expect(initial.body.object_id).toBe(`/jobs/${String(body.job_id)}`);
    expect(initial.body.access_control_list[0]).toMatchObject({ user_name: ws.state.currentUser.userName, all_permissions: [{ permission_level: 'IS_OWNER', inherited: false }] });
    expect(initial.body.access_control_list[1]).toMatchObject({ group_name: 'admins', all_permissions: [{ inherited: true }] });
    const noOwner = await call(ws, 'PUT', path, { body: { access_control_list: [{ group_name: 'data', permission_level: 'CAN_VIEW' }] } });
    expect([noOwner.status, noOwner.body.message]).toEqual([400, 'The job must have exactly one owner.']);
    const badLevel = await call(ws, 'PUT', path, { body: { access_control_list: [{ group_name: 'data', permission_level: 'CAN_RUN' }] } });
    expect(badLevel.status).toBe(400);
    const set = await call(ws, 'PUT', path, {
      body: { access_control_list: [{ service_principal_name: 'sp-1', permission_level: 'IS_OWNER' }, { group_name: 'data', permission_level: 'CAN_MANAGE_RUN' }] },
    });
    expect(set.status).toBe(200);
    expect(ws.state.permissions![`/jobs/${String(body.job_id)}`]).toEqual([
      { kind: 'service_principal_name', name: 'sp-1', level: 'IS_OWNER' },
      { kind: 'group_name', name: 'data', level: 'CAN_MANAGE_RUN' },
    ]);
    expect((await call(ws, 'GET', '/api/2.0/permissions/jobs/1')).status).toBe(404);
  });

});
