import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { RemoteApiError, UserError } from '../../src/errors/index.ts';
import { isNotFound, RequestOutcomeUnknownError } from '../../src/workspace/errors.ts';
import { collect } from '../../src/workspace/pagination.ts';
import { isTrashed } from '../../src/workspace/services/lakeview.ts';
import { createScopeRequest } from '../../src/workspace/services/secrets.ts';
import { apiError, HOST, makeClient, socketError, TOKEN, useNock } from './helpers.ts';

useNock();

describe('pipelines', () => {
  it('create, edit, get, delete, start/get update and stop hit their routes', async () => {
    const spec = { name: 'sales', catalog: 'main', schema: 'silver', serverless: true, libraries: [{ file: { path: '/p.sql' } }] };
    nock(HOST).post('/api/2.0/pipelines', spec).reply(200, { pipeline_id: 'p-1' });
    nock(HOST).put('/api/2.0/pipelines/p-1', { ...spec, id: 'p-1' }).reply(200, {});
    nock(HOST).get('/api/2.0/pipelines/p-1').reply(200, { pipeline_id: 'p-1', state: 'IDLE', spec });
    nock(HOST).post('/api/2.0/pipelines/p-1/updates', { full_refresh: true }).reply(200, { update_id: 'u-1' });
    nock(HOST).get('/api/2.0/pipelines/p-1/updates/u-1').reply(200, { update: { update_id: 'u-1', state: 'RUNNING' } });
    nock(HOST).post('/api/2.0/pipelines/p-1/stop', {}).reply(200, {});
    nock(HOST).delete('/api/2.0/pipelines/p-1').query({ cascade: 'true' }).reply(200, {});
    const { client } = makeClient();
    expect(await client.pipelines.create(spec)).toEqual({ pipeline_id: 'p-1' });
    expect(await client.pipelines.edit('p-1', { ...spec, id: 'p-1' })).toEqual({});
    expect((await client.pipelines.get('p-1')).state).toBe('IDLE');
    expect(await client.pipelines.startUpdate('p-1', { full_refresh: true })).toEqual({ update_id: 'u-1' });
    expect((await client.pipelines.getUpdate('p-1', 'u-1')).update?.state).toBe('RUNNING');
    expect(await client.pipelines.stop('p-1')).toEqual({});
    expect(await client.pipelines.delete('p-1', { cascade: true })).toEqual({});
  });

  it('list and listEvents iterate all pages', async () => {
    nock(HOST).get('/api/2.0/pipelines').query({ filter: "name LIKE 'sales%'" }).reply(200, { statuses: [{ pipeline_id: 'a' }], next_page_token: 'n1' });
    nock(HOST).get('/api/2.0/pipelines').query({ filter: "name LIKE 'sales%'", page_token: 'n1' }).reply(200, { statuses: [{ pipeline_id: 'b' }] });
    nock(HOST).get('/api/2.0/pipelines/a/events').query({ max_results: '2', order_by: 'timestamp desc' }).reply(200, { events: [{ id: 'e1' }, { id: 'e2' }], next_page_token: 'x' });
    nock(HOST).get('/api/2.0/pipelines/a/events').query({ max_results: '2', order_by: 'timestamp desc', page_token: 'x' }).reply(200, { events: [{ id: 'e3' }], next_page_token: '' });
    const { client } = makeClient();
    expect((await collect(client.pipelines.list({ filter: "name LIKE 'sales%'" }))).map((p) => p.pipeline_id)).toEqual(['a', 'b']);
    expect((await collect(client.pipelines.listEvents('a', { max_results: 2, order_by: ['timestamp desc'] }))).map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
  });

  it('startUpdate is not retried after a lost response', async () => {
    nock(HOST).post('/api/2.0/pipelines/p-1/updates').replyWithError(socketError('ETIMEDOUT'));
    const { client } = makeClient();
    await expect(client.pipelines.startUpdate('p-1')).rejects.toBeInstanceOf(RequestOutcomeUnknownError);
  });

  it('maps a missing pipeline to a not-found RemoteApiError', async () => {
    nock(HOST).get('/api/2.0/pipelines/nope').reply(404, apiError('RESOURCE_DOES_NOT_EXIST', "Pipeline 'nope' does not exist"));
    const { client } = makeClient();
    const error = await client.pipelines.get('nope').catch((e: unknown) => e);
    expect(isNotFound(error)).toBe(true);
  });
});

describe('workspace', () => {
  it('mkdirs, import (bytes encoded to base64), export, getStatus, list and delete', async () => {
    const source = '# Databricks notebook source\nprint(1)\n';
    nock(HOST).post('/api/2.0/workspace/mkdirs', { path: '/Workspace/b' }).reply(200, {});
    nock(HOST)
      .post('/api/2.0/workspace/import', { path: '/Workspace/b/nb', format: 'SOURCE', language: 'PYTHON', overwrite: true, content: Buffer.from(source).toString('base64') })
      .reply(200, {});
    nock(HOST).get('/api/2.0/workspace/export').query({ path: '/Workspace/b/nb', format: 'SOURCE' }).reply(200, { content: Buffer.from(source).toString('base64'), file_type: 'py' });
    nock(HOST).get('/api/2.0/workspace/get-status').query({ path: '/Workspace/b/nb' }).reply(200, { object_type: 'NOTEBOOK', path: '/Workspace/b/nb', object_id: 123 });
    nock(HOST).get('/api/2.0/workspace/list').query({ path: '/Workspace/b' }).reply(200, { objects: [{ path: '/Workspace/b/nb', object_type: 'NOTEBOOK' }] });
    nock(HOST).get('/api/2.0/workspace/list').query({ path: '/Workspace/empty' }).reply(200, {});
    nock(HOST).post('/api/2.0/workspace/delete', { path: '/Workspace/b', recursive: true }).reply(200, {});
    const { client } = makeClient();
    await client.workspace.mkdirs({ path: '/Workspace/b' });
    await client.workspace.import({ path: '/Workspace/b/nb', format: 'SOURCE', language: 'PYTHON', overwrite: true, content: Buffer.from(source) });
    const exported = await client.workspace.export({ path: '/Workspace/b/nb', format: 'SOURCE' });
    expect(Buffer.from(exported.content ?? '', 'base64').toString()).toBe(source);
    expect((await client.workspace.getStatus({ path: '/Workspace/b/nb' })).object_type).toBe('NOTEBOOK');
    expect(await client.workspace.list({ path: '/Workspace/b' })).toHaveLength(1);
    expect(await client.workspace.list({ path: '/Workspace/empty' })).toEqual([]);
    await client.workspace.delete({ path: '/Workspace/b', recursive: true });
  });

  it('getStatus on a missing path is not-found', async () => {
    nock(HOST).get('/api/2.0/workspace/get-status').query(true).reply(404, apiError('RESOURCE_DOES_NOT_EXIST', 'Path (/x) does not exist.'));
    const { client } = makeClient();
    expect(isNotFound(await client.workspace.getStatus({ path: '/x' }).catch((e: unknown) => e))).toBe(true);
  });

  it('import without overwrite is not retried after a lost response, with overwrite it is', async () => {
    nock(HOST).post('/api/2.0/workspace/import').replyWithError(socketError('ECONNRESET'));
    nock(HOST).post('/api/2.0/workspace/import').replyWithError(socketError('ECONNRESET'));
    nock(HOST).post('/api/2.0/workspace/import').reply(200, {});
    const { client } = makeClient();
    await expect(client.workspace.import({ path: '/a', format: 'AUTO', content: 'eA==' })).rejects.toBeInstanceOf(RequestOutcomeUnknownError);
    await expect(client.workspace.import({ path: '/a', format: 'AUTO', content: 'eA==', overwrite: true })).resolves.toEqual({});
  });
});

describe('files (volumes)', () => {
  const file = '/Volumes/main/raw/landing/sales 2024/part-0.parquet';
  const encoded = '/Volumes/main/raw/landing/sales%202024/part-0.parquet';

  it('uploads raw bytes with overwrite, downloads them, reads metadata and deletes', async () => {
    const bytes = Buffer.from([0x50, 0x41, 0x52, 0x31, 0x00, 0xff]);
    let received: Buffer | undefined;
    nock(HOST, { reqheaders: { 'content-type': 'application/octet-stream' } })
      .put(`/api/2.0/fs/files${encoded}`)
      .query({ overwrite: 'true' })
      .reply(async (request: Request) => {
        received = Buffer.from(await request.arrayBuffer());
        return [204, ''];
      });
    nock(HOST).get(`/api/2.0/fs/files${encoded}`).reply(200, bytes, { 'content-type': 'application/octet-stream' });
    nock(HOST).head(`/api/2.0/fs/files${encoded}`).reply(200, '', { 'content-length': '6', 'content-type': 'application/octet-stream', 'last-modified': 'Wed, 01 May 2024 10:00:00 GMT' });
    nock(HOST).delete(`/api/2.0/fs/files${encoded}`).reply(204, '');
    const { client, requests } = makeClient();
    await client.files.upload(file, bytes, { overwrite: true });
    expect(received?.equals(bytes)).toBe(true);
    expect(requests[0]?.body).toBe('<6 bytes>');
    expect((await client.files.download(file)).equals(bytes)).toBe(true);
    expect(await client.files.getMetadata(file)).toEqual({ content_length: 6, content_type: 'application/octet-stream', last_modified: 'Wed, 01 May 2024 10:00:00 GMT' });
    await client.files.delete(file);
  });

  it('HEAD on a missing file is not-found (no body to parse)', async () => {
    nock(HOST).head(`/api/2.0/fs/files${encoded}`).reply(404);
    const { client } = makeClient();
    const error = await client.files.getMetadata(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteApiError);
    expect((error as RemoteApiError).details).toMatchObject({ status: 404, error_code: 'NOT_FOUND', method: 'HEAD' });
    expect(isNotFound(error)).toBe(true);
  });

  it('creates directories and lists them across pages', async () => {
    nock(HOST).put('/api/2.0/fs/directories/Volumes/main/raw/landing/in').reply(204, '');
    nock(HOST)
      .get('/api/2.0/fs/directories/Volumes/main/raw/landing')
      .reply(200, { contents: [{ path: '/Volumes/main/raw/landing/in', is_directory: true, name: 'in' }], next_page_token: 'nx' });
    nock(HOST)
      .get('/api/2.0/fs/directories/Volumes/main/raw/landing')
      .query({ page_token: 'nx' })
      .reply(200, { contents: [{ path: '/Volumes/main/raw/landing/a.parquet', is_directory: false, file_size: 10, name: 'a.parquet' }] });
    const { client } = makeClient();
    await client.files.createDirectory('/Volumes/main/raw/landing/in');
    const entries = await collect(client.files.listDirectory('/Volumes/main/raw/landing'));
    expect(entries.map((e) => e.name)).toEqual(['in', 'a.parquet']);
  });

  it('an upload without overwrite fails with the 409 from the server', async () => {
    nock(HOST).put(`/api/2.0/fs/files${encoded}`).query({ overwrite: 'false' }).reply(409, apiError('ALREADY_EXISTS', 'The file being created already exists.'));
    const { client } = makeClient();
    await expect(client.files.upload(file, 'x')).rejects.toMatchObject({ details: { status: 409, error_code: 'ALREADY_EXISTS' } });
  });

  it('rejects relative paths', async () => {
    const { client } = makeClient();
    await expect(client.files.download('Volumes/x')).rejects.toBeInstanceOf(UserError);
  });
});

describe('secrets', () => {
  const kvScope = {
    name: 'kv',
    backend_type: 'AZURE_KEYVAULT' as const,
    keyvault_metadata: { resource_id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v', dns_name: 'https://v.vault.azure.net/' },
  };

  it('builds the scopes/create request from a bundle scope definition', () => {
    expect(createScopeRequest(kvScope)).toEqual({ scope: 'kv', scope_backend_type: 'AZURE_KEYVAULT', backend_azure_keyvault: kvScope.keyvault_metadata });
    expect(createScopeRequest({ name: 'plain' })).toEqual({ scope: 'plain' });
  });

  it('creates, lists and deletes scopes, secrets and ACLs', async () => {
    nock(HOST).post('/api/2.0/secrets/scopes/create', { scope: 'app', scope_backend_type: 'DATABRICKS' }).reply(200, {});
    nock(HOST).get('/api/2.0/secrets/scopes/list').reply(200, { scopes: [{ name: 'app', backend_type: 'DATABRICKS' }] });
    nock(HOST).post('/api/2.0/secrets/put', { scope: 'app', key: 'openai', string_value: 'sk-value' }).reply(200, {});
    nock(HOST).get('/api/2.0/secrets/list').query({ scope: 'app' }).reply(200, { secrets: [{ key: 'openai', last_updated_timestamp: 1 }] });
    nock(HOST).post('/api/2.0/secrets/acls/put', { scope: 'app', principal: 'users', permission: 'READ' }).reply(200, {});
    nock(HOST).get('/api/2.0/secrets/acls/list').query({ scope: 'app' }).reply(200, { items: [{ principal: 'users', permission: 'READ' }] });
    nock(HOST).post('/api/2.0/secrets/acls/delete', { scope: 'app', principal: 'users' }).reply(200, {});
    nock(HOST).post('/api/2.0/secrets/delete', { scope: 'app', key: 'openai' }).reply(200, {});
    nock(HOST).post('/api/2.0/secrets/scopes/delete', { scope: 'app' }).reply(200, {});
    nock(HOST).get('/api/2.0/secrets/scopes/list').reply(200, {});
    const { client } = makeClient();
    await client.secrets.createScope({ scope: 'app', scope_backend_type: 'DATABRICKS' });
    expect(await client.secrets.listScopes()).toEqual([{ name: 'app', backend_type: 'DATABRICKS' }]);
    await client.secrets.putSecret({ scope: 'app', key: 'openai', string_value: 'sk-value' });
    expect((await client.secrets.listSecrets('app')).map((s) => s.key)).toEqual(['openai']);
    await client.secrets.putAcl({ scope: 'app', principal: 'users', permission: 'READ' });
    expect(await client.secrets.listAcls('app')).toEqual([{ principal: 'users', permission: 'READ' }]);
    await client.secrets.deleteAcl({ scope: 'app', principal: 'users' });
    await client.secrets.deleteSecret({ scope: 'app', key: 'openai' });
    await client.secrets.deleteScope({ scope: 'app' });
    expect(await client.secrets.listScopes()).toEqual([]);
  });

  it('explains how to authenticate when a Key Vault scope is refused for a PAT', async () => {
    nock(HOST)
      .post('/api/2.0/secrets/scopes/create')
      .reply(400, apiError('INVALID_PARAMETER_VALUE', 'Scope with Azure KeyVault must have userAADToken defined!'));
    const { client } = makeClient();
    const error = await client.secrets.createScope(createScopeRequest(kvScope)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('auth type pat');
    expect((error as UserError).hint).toMatch(/ARM_CLIENT_ID.*azure-cli/s);
  });

  it('keeps other scope errors as they are', async () => {
    nock(HOST).post('/api/2.0/secrets/scopes/create').reply(400, apiError('RESOURCE_ALREADY_EXISTS', 'Scope kv already exists!'));
    const { client } = makeClient();
    await expect(client.secrets.createScope(createScopeRequest(kvScope))).rejects.toMatchObject({ details: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
  });

  it('says a Key Vault scope is read-only when putting a secret into it', async () => {
    nock(HOST).post('/api/2.0/secrets/put').reply(400, apiError('BAD_REQUEST', 'Cannot write secrets to Azure KeyVault-backed scope kv'));
    const { client } = makeClient();
    await expect(client.secrets.putSecret({ scope: 'kv', key: 'k', string_value: 'v-secret' })).rejects.toBeInstanceOf(UserError);
  });
});

describe('lakeview', () => {
  const serialized = JSON.stringify({ pages: [{ name: 'p', displayName: 'Sales' }] });

  it('creates without output-only fields, updates, publishes (always sending embed_credentials), gets and trashes', async () => {
    nock(HOST)
      .post('/api/2.0/lakeview/dashboards', { display_name: 'Sales', parent_path: '/Workspace/b', serialized_dashboard: serialized, warehouse_id: 'w1' })
      .query({ dataset_catalog: 'main' })
      .reply(200, { dashboard_id: 'd1', etag: 'e1', lifecycle_state: 'ACTIVE' });
    nock(HOST).patch('/api/2.0/lakeview/dashboards/d1', { display_name: 'Sales', serialized_dashboard: serialized, etag: 'e1' }).reply(200, { dashboard_id: 'd1', etag: 'e2' });
    nock(HOST).post('/api/2.0/lakeview/dashboards/d1/published', { warehouse_id: 'w1', embed_credentials: false }).reply(200, { warehouse_id: 'w1', embed_credentials: false });
    nock(HOST).get('/api/2.0/lakeview/dashboards/d1/published').reply(200, { display_name: 'Sales' });
    nock(HOST).delete('/api/2.0/lakeview/dashboards/d1/published').reply(200, {});
    nock(HOST).delete('/api/2.0/lakeview/dashboards/d1').reply(200, {});
    nock(HOST).get('/api/2.0/lakeview/dashboards/d1').reply(200, { dashboard_id: 'd1', lifecycle_state: 'TRASHED' });
    const { client } = makeClient();
    const created = await client.lakeview.create(
      { display_name: 'Sales', parent_path: '/Workspace/b', serialized_dashboard: serialized, warehouse_id: 'w1', dashboard_id: 'ignored', path: 'ignored' },
      { dataset_catalog: 'main' },
    );
    expect(created.dashboard_id).toBe('d1');
    expect((await client.lakeview.update('d1', { display_name: 'Sales', serialized_dashboard: serialized, etag: 'e1', update_time: 'x' })).etag).toBe('e2');
    expect(await client.lakeview.publish('d1', { warehouse_id: 'w1' })).toEqual({ warehouse_id: 'w1', embed_credentials: false });
    expect((await client.lakeview.getPublished('d1')).display_name).toBe('Sales');
    await client.lakeview.unpublish('d1');
    await client.lakeview.trash('d1');
    expect(isTrashed(await client.lakeview.get('d1'))).toBe(true);
  });

  it('a missing parent folder on create is a 404 the caller can act on', async () => {
    nock(HOST).post('/api/2.0/lakeview/dashboards').reply(404, apiError('RESOURCE_DOES_NOT_EXIST', 'Path (/Workspace/b) does not exist.'));
    const { client } = makeClient();
    expect(isNotFound(await client.lakeview.create({ display_name: 'x', parent_path: '/Workspace/b' }).catch((e: unknown) => e))).toBe(true);
  });
});

describe('scim', () => {
  it('returns the current user', async () => {
    nock(HOST).get('/api/2.0/preview/scim/v2/Me').reply(200, { id: '42', userName: 'ana@example.com', displayName: 'Ana', active: true });
    const { client } = makeClient();
    expect(await client.scim.me()).toMatchObject({ userName: 'ana@example.com' });
  });

  it('maps a SCIM error body', async () => {
    nock(HOST).get('/api/2.0/preview/scim/v2/Me').reply(403, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], detail: 'Forbidden', status: '403' });
    const { client } = makeClient();
    await expect(client.scim.me()).rejects.toMatchObject({ details: { status: 403, error_code: 'SCIM_403' } });
  });
});

describe('WorkspaceClient', () => {
  it('describes its auth without secrets', () => {
    const { client } = makeClient();
    expect(client.auth).toMatchObject({ auth_type: 'pat', host: HOST, configuration: { token: { value: '********' } } });
    expect(JSON.stringify(client.auth)).not.toContain(TOKEN);
    expect(client.host).toBe(HOST);
  });
});
