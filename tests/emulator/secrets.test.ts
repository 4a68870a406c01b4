import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, startFakeWorkspace } from '../../src/emulator/index.ts';
import { call } from './client.ts';

let ws: FakeWorkspace;
const PAT = 'dapi-test-pat';
const AAD = 'eyJ-entra-token';
const ANALYST = 'dapi-analyst';

beforeEach(async () => {
  ws = await startFakeWorkspace({
    logBodies: true,
    tokens: [
      { token: PAT, kind: 'pat' },
      { token: AAD, kind: 'aad' },
      { token: ANALYST, kind: 'pat', user: 'analyst@example.com', admin: false },
    ],
  });
});
afterEach(async () => {
  await ws.close();
});

const keyvault = { resource_id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv', dns_name: 'https://kv.vault.azure.net/' };

describe('secrets API', () => {
  it('creates a Databricks scope, stores secrets, lists keys but never values', async () => {
    expect((await call(ws, 'POST', '/api/2.0/secrets/scopes/create', { body: { scope: 'sales' } })).status).toBe(200);
    const dup = await call(ws, 'POST', '/api/2.0/secrets/scopes/create', { body: { scope: 'sales' } });
    expect([dup.status, dup.body.error_code]).toEqual([400, 'RESOURCE_ALREADY_EXISTS']);
    await call(ws, 'POST', '/api/2.0/secrets/put', { body: { scope: 'sales', key: 'openai_api_key', string_value: 'sk-very-secret' } });
    const list = await call(ws, 'GET', '/api/2.0/secrets/list', { query: { scope: 'sales' } });
    expect(list.body.secrets.map((s: { key: string }) => s.key)).toEqual(['openai_api_key']);
    expect(list.text).not.toContain('sk-very-secret');
    const scopes = await call(ws, 'GET', '/api/2.0/secrets/scopes/list');
    expect(scopes.body.scopes).toEqual([{ name: 'sales', backend_type: 'DATABRICKS' }]);
    const acls = await call(ws, 'GET', '/api/2.0/secrets/acls/list', { query: { scope: 'sales' } });
    expect(acls.body.items).toEqual([{ principal: 'emulator-user@example.com', permission: 'MANAGE' }]);
  });

  it('missing scopes and keys are RESOURCE_DOES_NOT_EXIST; bad names are INVALID_PARAMETER_VALUE', async () => {
    const noScope = await call(ws, 'POST', '/api/2.0/secrets/put', { body: { scope: 'nope', key: 'k', string_value: 'v' } });
    expect([noScope.status, noScope.body.error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    await call(ws, 'POST', '/api/2.0/secrets/scopes/create', { body: { scope: 's' } });
    const noKey = await call(ws, 'POST', '/api/2.0/secrets/delete', { body: { scope: 's', key: 'k' } });
    expect(noKey.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const badName = await call(ws, 'POST', '/api/2.0/secrets/scopes/create', { body: { scope: 'has space' } });
    expect(badName.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const both = await call(ws, 'POST', '/api/2.0/secrets/put', { body: { scope: 's', key: 'k', string_value: 'a', bytes_value: 'Yg==' } });
    expect(both.status).toBe(400);
  });

  it('an Azure Key Vault scope needs an Entra ID token: a PAT is refused as Databricks does', async () => {
    const body = { scope: 'akv', scope_backend_type: 'AZURE_KEYVAULT', backend_azure_keyvault: keyvault };
    const withPat = await call(ws, 'POST', '/api/2.0/secrets/scopes/create', { body, token: PAT });
    expect(withPat.status).toBe(400);
    expect(withPat.body.message).toBe('Scope with Azure KeyVault must have userAADToken defined!');
    expect(ws.state.secretScopes['akv']).toBeUndefined();
    const withAad = await call(ws, 'POST', '/api/2.0/secrets/scopes/create', { body, token: AAD });
    expect(withAad.status).toBe(200);
    const scopes = await call(ws, 'GET', '/api/2.0/secrets/scopes/list');
    expect(scopes.body.scopes[0]).toEqual({ name: 'akv', backend_type: 'AZURE_KEYVAULT', keyvault_metadata: keyvault });
    const put = await call(ws, 'POST', '/api/2.0/secrets/put', { body: { scope: 'akv', key: 'k', string_value: 'v' } });
    expect([put.status, put.body.error_code]).toEqual([400, 'BAD_REQUEST']);
  });

  it('checks scope ACLs for non-admin users', async () => {
    await call(ws, 'POST', '/api/2.0/secrets/scopes/create', { body: { scope: 's' } });
    const denied = await call(ws, 'POST', '/api/2.0/secrets/put', { body: { scope: 's', key: 'k', string_value: 'v' }, token: ANALYST });
    expect([denied.status, denied.body.error_code]).toEqual([403, 'PERMISSION_DENIED']);
    await call(ws, 'POST', '/api/2.0/secrets/acls/put', { body: { scope: 's', principal: 'analyst@example.com', permission: 'WRITE' } });
    expect((await call(ws, 'POST', '/api/2.0/secrets/put', { body: { scope: 's', key: 'k', string_value: 'v' }, token: ANALYST })).status).toBe(200);
    expect((await call(ws, 'GET', '/api/2.0/secrets/acls/list', { query: { scope: 's' }, token: ANALYST })).status).toBe(403);
  });

  it('keeps secret values out of the request log', async () => {
    await call(ws, 'POST', '/api/2.0/secrets/scopes/create', { body: { scope: 's' } });
    await call(ws, 'POST', '/api/2.0/secrets/put', { body: { scope: 's', key: 'k', string_value: 'hunter2-value' } });
    await call(ws, 'POST', '/api/2.0/secrets/put', { body: { scope: 's', key: 'b', bytes_value: Buffer.from('raw-bytes-value').toString('base64') } });
    const logged = JSON.stringify(ws.requests.map((r) => r.body));
    expect(logged).not.toContain('hunter2-value');
    expect(logged).not.toContain(Buffer.from('raw-bytes-value').toString('base64'));
    expect(ws.requests[1]?.body).toEqual({ scope: 's', key: 'k', string_value: '[REDACTED]' });
  });
});
