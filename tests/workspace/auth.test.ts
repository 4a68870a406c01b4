import type { AccessToken, TokenCredential } from '@azure/identity';
import nock from 'nock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/index.ts';
import { configFilePath, parseIni, readConfigFile } from '../../src/workspace/auth/config-file.ts';
import { resolveAuth, type ResolveAuthInput } from '../../src/workspace/auth/resolve.ts';
import type { AzureCredentialRequest } from '../../src/workspace/auth/azure.ts';
import { createWorkspaceClient } from '../../src/workspace/api.ts';
import { fakeClock, useNock } from './helpers.ts';

useNock();

const AWS_HOST = 'https://dbc-abc.cloud.databricks.com';
const AZ_HOST = 'https://adb-1234567890123456.7.azuredatabricks.net';

const CFG = `
[__settings__]
default_profile = prod ; chosen when no profile is named

[DEFAULT]
host  = ${AWS_HOST}/
token = dapi-default

[prod]
host = adb-1234567890123456.7.azuredatabricks.net
token = dapi-prod

[m2m]
host          = ${AWS_HOST}
client_id     = sp-app-id
client_secret = sp-oauth-secret

[spn]
host                = ${AZ_HOST}
azure_client_id     = arm-app
azure_client_secret = arm-secret
azure_tenant_id     = tenant-1
`;

const file = { path: '/home/u/.databrickscfg', text: CFG };

function resolve(input: Partial<ResolveAuthInput>) {
  return resolveAuth({ env: {}, ...input });
}

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('config file', () => {
  it('parses sections, lower-cases keys and strips inline comments', () => {
    const sections = parseIni(CFG);
    expect(sections.get('__settings__')).toEqual({ default_profile: 'prod' });
    expect(sections.get('m2m')?.client_secret).toBe('sp-oauth-secret');
  });

  it('is found through DATABRICKS_CONFIG_FILE or ~/.databrickscfg', () => {
    expect(configFilePath({}, '/home/u')).toBe('/home/u/.databrickscfg');
    expect(configFilePath({ DATABRICKS_CONFIG_FILE: '~/cfg/x.ini' }, '/home/u')).toBe('/home/u/cfg/x.ini');
    const dir = mkdtempSync(join(tmpdir(), 'dbx-auth-'));
    writeFileSync(join(dir, 'cfg'), '[DEFAULT]\nhost = h\n');
    expect(readConfigFile({ DATABRICKS_CONFIG_FILE: join(dir, 'cfg') })?.text).toContain('host = h');
    expect(readConfigFile({ DATABRICKS_CONFIG_FILE: join(dir, 'missing') })).toBeUndefined();
  });
});

describe('resolution matrix', () => {
  it('PAT from the environment, host normalised', () => {
    const { description } = resolve({ env: { DATABRICKS_HOST: 'dbc-abc.cloud.databricks.com/', DATABRICKS_TOKEN: 'dapi-env' } });
    expect(description).toMatchObject({ auth_type: 'pat', host: AWS_HOST, auth_reason: 'a personal access token is set (DATABRICKS_TOKEN)' });
  });

  it('never puts a token in the description', () => {
    const { description } = resolve({ env: { DATABRICKS_HOST: AWS_HOST, DATABRICKS_TOKEN: 'dapi-env' } });
    expect(JSON.stringify(description)).not.toContain('dapi-env');
  });

  it('environment wins and the file is not read when host or credentials are set', () => {
    const { description } = resolve({ env: { DATABRICKS_HOST: AWS_HOST, DATABRICKS_TOKEN: 'dapi-env' }, configFile: file });
    expect(description.profile).toBeUndefined();
  });

  it('uses [__settings__] default_profile when nothing else is configured', async () => {
    const { description, provider } = resolve({ configFile: file });
    expect(description).toMatchObject({ auth_type: 'pat', host: AZ_HOST, profile: 'prod', config_file: file.path, profile_reason: '[__settings__] default_profile' });
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer dapi-prod' });
  });

  it('uses [DEFAULT] when there is no default_profile', async () => {
    const text = CFG.replace(/\[__settings__\][^[]*/, '');
    const { description, provider } = resolve({ configFile: { path: 'c', text } });
    expect(description).toMatchObject({ profile: 'DEFAULT', host: AWS_HOST });
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer dapi-default' });
  });

  it('selects a profile with DATABRICKS_CONFIG_PROFILE or an explicit profile (explicit wins)', () => {
    expect(resolve({ env: { DATABRICKS_CONFIG_PROFILE: 'm2m' }, configFile: file }).description).toMatchObject({ auth_type: 'oauth-m2m', profile: 'm2m' });
    expect(resolve({ env: { DATABRICKS_CONFIG_PROFILE: 'm2m' }, profile: 'spn', configFile: file }).description).toMatchObject({
      auth_type: 'databricks-cli',
      fallback: 'azure-client-secret',
      profile: 'spn',
    });
  });

  it('fills only missing attributes from a named profile', async () => {
    const { description, provider } = resolve({ env: { DATABRICKS_TOKEN: 'dapi-env' }, profile: 'prod', configFile: file });
    expect(description.host).toBe(AZ_HOST);
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer dapi-env' });
  });

  it('fails clearly for a missing profile or a missing file', () => {
    expect(userError(() => resolve({ profile: 'nope', configFile: file })).message).toContain('has no [nope] profile');
    expect(userError(() => resolve({ profile: 'prod' })).message).toContain('no Databricks config file');
  });

  it('fails without a host, and without credentials (at the first request, after looking for the Databricks CLI)', async () => {
    expect(userError(() => resolve({ env: { DATABRICKS_TOKEN: 't' } })).message).toContain('No Databricks host');
    const { provider } = resolve({ env: { DATABRICKS_HOST: AWS_HOST, PATH: '' } });
    const noCreds = (await provider.headers().catch((e: unknown) => e)) as UserError;
    expect(noCreds).toBeInstanceOf(UserError);
    expect(noCreds.message).toContain(`No Databricks credentials found for ${AWS_HOST} (The Databricks CLI (\`databricks\`) is not on PATH)`);
    expect(noCreds.hint).toContain('DATABRICKS_TOKEN');
    expect(noCreds.hint).toContain(`databricks auth login --host ${AWS_HOST}`);
  });

  it('refuses more than one auth method unless DATABRICKS_AUTH_TYPE picks one', () => {
    const env = { DATABRICKS_HOST: AZ_HOST, DATABRICKS_TOKEN: 'dapi', ARM_CLIENT_ID: 'a', ARM_CLIENT_SECRET: 's', ARM_TENANT_ID: 't' };
    expect(userError(() => resolve({ env })).message).toBe('More than one authorization method configured: azure and pat');
    expect(resolve({ env: { ...env, DATABRICKS_AUTH_TYPE: 'azure-client-secret' } }).description.auth_type).toBe('azure-client-secret');
    expect(resolve({ env, authType: 'pat' }).description.auth_type).toBe('pat');
  });

  it('rejects unknown auth types and incomplete ones', () => {
    expect(userError(() => resolve({ env: { DATABRICKS_HOST: AWS_HOST, DATABRICKS_AUTH_TYPE: 'magic' } })).message).toContain('Unsupported auth type');
    expect(userError(() => resolve({ env: { DATABRICKS_HOST: AWS_HOST, DATABRICKS_AUTH_TYPE: 'oauth-m2m', DATABRICKS_CLIENT_ID: 'x' } })).message).toContain(
      'client_secret (DATABRICKS_CLIENT_SECRET)',
    );
  });

  it('chooses M2M for DATABRICKS_CLIENT_ID/SECRET, Entra ID for ARM_* on Azure, Azure CLI as the Azure fallback', () => {
    expect(resolve({ env: { DATABRICKS_HOST: AWS_HOST, DATABRICKS_CLIENT_ID: 'c', DATABRICKS_CLIENT_SECRET: 's' } }).description.auth_type).toBe('oauth-m2m');
    // As in the Go SDK, the Databricks CLI login is tried first at the first request; these are the fallbacks.
    expect(resolve({ env: { DATABRICKS_HOST: AZ_HOST, ARM_CLIENT_ID: 'c', ARM_CLIENT_SECRET: 's', ARM_TENANT_ID: 't' } }).description).toMatchObject({
      auth_type: 'databricks-cli',
      fallback: 'azure-client-secret',
    });
    expect(resolve({ env: { DATABRICKS_HOST: AZ_HOST } }).description).toMatchObject({ auth_type: 'databricks-cli', fallback: 'azure-cli' });
    expect(userError(() => resolve({ env: { DATABRICKS_HOST: AWS_HOST, ARM_CLIENT_ID: 'c', ARM_CLIENT_SECRET: 's' } })).message).toContain(
      'not an Azure Databricks host',
    );
  });

  it('accepts https and loopback http, refuses other http hosts', () => {
    expect(resolve({ env: { DATABRICKS_HOST: 'http://127.0.0.1:8080/', DATABRICKS_TOKEN: 't' } }).description.host).toBe('http://127.0.0.1:8080');
    expect(resolve({ env: { DATABRICKS_HOST: 'http://localhost:9000', DATABRICKS_TOKEN: 't' } }).description.host).toBe('http://localhost:9000');
    expect(resolve({ env: { DATABRICKS_HOST: 'http://[::1]:9000', DATABRICKS_TOKEN: 't' } }).description.host).toBe('http://[::1]:9000');
    expect(resolve({ env: { DATABRICKS_HOST: 'https://h.example:443/path', DATABRICKS_TOKEN: 't' } }).description.host).toBe('https://h.example');
    const refused = userError(() => resolve({ env: { DATABRICKS_HOST: 'http://dbc-abc.cloud.databricks.com', DATABRICKS_TOKEN: 't' } }));
    expect(refused.message).toContain('only https');
    userError(() => resolve({ env: { DATABRICKS_HOST: 'http://128.0.0.1', DATABRICKS_TOKEN: 't' } }));
  });
});

describe('OAuth M2M', () => {
  const env = { DATABRICKS_HOST: AWS_HOST, DATABRICKS_CLIENT_ID: 'sp-app-id', DATABRICKS_CLIENT_SECRET: 'sp-oauth-secret' };
  const basic = `Basic ${Buffer.from('sp-app-id:sp-oauth-secret').toString('base64')}`;

  function tokenEndpoint(token: string, expiresIn = 3600) {
    return nock(AWS_HOST, { reqheaders: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' } })
      .post('/oidc/v1/token', 'grant_type=client_credentials&scope=all-apis')
      .reply(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });
  }

  it('fetches a token once, caches it, and refreshes it 40 s before expiry', async () => {
    const clock = fakeClock();
    const { provider } = resolveAuth({ env }, { now: clock.now });
    tokenEndpoint('tok-1', 3600);
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer tok-1' });
    clock.time += 3500_000; // 100 s left: still fresh
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer tok-1' });
    clock.time += 61_000; // 39 s left: stale
    tokenEndpoint('tok-2', 3600);
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer tok-2' });
  });

  it('shares one token request between concurrent callers', async () => {
    const { provider } = resolveAuth({ env });
    tokenEndpoint('tok-1');
    const headers = await Promise.all([provider.headers(), provider.headers(), provider.headers()]);
    expect(new Set(headers.map((h) => h.Authorization))).toEqual(new Set(['Bearer tok-1']));
  });

  it('uses the token on API calls and fetches a new one after a 401', async () => {
    const client = createWorkspaceClient({ env, configFile: null });
    tokenEndpoint('tok-old');
    nock(AWS_HOST, { reqheaders: { authorization: 'Bearer tok-old' } }).get('/api/2.0/preview/scim/v2/Me').reply(401, { error_code: 'UNAUTHENTICATED', message: 'expired' });
    tokenEndpoint('tok-new');
    nock(AWS_HOST, { reqheaders: { authorization: 'Bearer tok-new' } }).get('/api/2.0/preview/scim/v2/Me').reply(200, { id: '1', userName: 'sp-app-id' });
    await expect(client.scim.me()).resolves.toEqual({ id: '1', userName: 'sp-app-id' });
  });

  it('reports a refused client as a UserError without the secret', async () => {
    const { provider } = resolveAuth({ env });
    nock(AWS_HOST).post('/oidc/v1/token').reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    const error = await provider.headers().then(
      () => undefined,
      (e: unknown) => e as UserError,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error?.message).toContain('invalid_client');
    expect(JSON.stringify(error) + String(error?.message)).not.toContain('sp-oauth-secret');
  });
});

describe('Azure', () => {
  function fakeFactory() {
    const requests: AzureCredentialRequest[] = [];
    const scopes: string[] = [];
    const factory = (request: AzureCredentialRequest): TokenCredential => {
      requests.push(request);
      return {
        getToken: async (scope: string | string[]): Promise<AccessToken> => {
          const s = Array.isArray(scope) ? scope.join(' ') : scope;
          scopes.push(s);
          return { token: s.startsWith('https://management') ? 'mgmt-token' : `aad-${request.kind}`, expiresOnTimestamp: Date.now() + 3600_000 };
        },
      };
    };
    return { factory, requests, scopes };
  }

  it('uses ClientSecretCredential with the Azure Databricks scope', async () => {
    const fake = fakeFactory();
    const { provider } = resolveAuth(
      { env: { DATABRICKS_HOST: AZ_HOST, ARM_CLIENT_ID: 'app', ARM_CLIENT_SECRET: 'arm-secret', ARM_TENANT_ID: 'tenant-1' } },
      { azureCredentialFactory: fake.factory },
    );
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer aad-client-secret' });
    expect(fake.requests).toEqual([
      { kind: 'client-secret', tenantId: 'tenant-1', clientId: 'app', clientSecret: 'arm-secret', authorityHost: 'https://login.microsoftonline.com' },
    ]);
    expect(fake.scopes).toEqual(['2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default']);
  });

  it('adds the management token and resource id headers when the workspace resource id is known', async () => {
    const fake = fakeFactory();
    const resourceId = '/subscriptions/s/resourceGroups/g/providers/Microsoft.Databricks/workspaces/w';
    const { provider } = resolveAuth(
      { env: { DATABRICKS_HOST: AZ_HOST, ARM_CLIENT_ID: 'app', ARM_CLIENT_SECRET: 'x', ARM_TENANT_ID: 't', DATABRICKS_AZURE_RESOURCE_ID: resourceId } },
      { azureCredentialFactory: fake.factory },
    );
    expect(await provider.headers()).toEqual({
      Authorization: 'Bearer aad-client-secret',
      'X-Databricks-Azure-Workspace-Resource-Id': resourceId,
      'X-Databricks-Azure-SP-Management-Token': 'mgmt-token',
    });
  });

  it('discovers the tenant from {host}/aad/auth when ARM_TENANT_ID is missing', async () => {
    const fake = fakeFactory();
    nock(AZ_HOST).get('/aad/auth').reply(302, '', { Location: 'https://login.microsoftonline.com/tenant-discovered/oauth2/authorize?x=1' });
    const { provider } = resolveAuth({ env: { DATABRICKS_HOST: AZ_HOST, ARM_CLIENT_ID: 'app', ARM_CLIENT_SECRET: 'x' } }, { azureCredentialFactory: fake.factory });
    await provider.headers();
    expect(fake.requests[0]).toMatchObject({ tenantId: 'tenant-discovered' });
  });

  it('uses the Azure CLI login with DATABRICKS_AUTH_TYPE=azure-cli', async () => {
    const fake = fakeFactory();
    const { provider, description } = resolveAuth({ env: { DATABRICKS_HOST: AZ_HOST, DATABRICKS_AUTH_TYPE: 'azure-cli', ARM_TENANT_ID: 't' } }, { azureCredentialFactory: fake.factory });
    expect(description.auth_type).toBe('azure-cli');
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer aad-cli' });
    expect(fake.requests).toEqual([{ kind: 'cli', tenantId: 't' }]);
  });

  it('uses a managed identity with ARM_USE_MSI=true (user-assigned with ARM_CLIENT_ID), sending the resource id headers', async () => {
    const fake = fakeFactory();
    const resourceId = '/subscriptions/s/resourceGroups/g/providers/Microsoft.Databricks/workspaces/w';
    const env = { PATH: '', DATABRICKS_HOST: AZ_HOST, ARM_USE_MSI: 'true', ARM_CLIENT_ID: 'uami-client', DATABRICKS_AZURE_RESOURCE_ID: resourceId };
    const { provider, description } = resolveAuth({ env }, { azureCredentialFactory: fake.factory });
    expect(description).toMatchObject({ auth_type: 'databricks-cli', fallback: 'azure-msi' });
    expect(await provider.headers()).toEqual({
      Authorization: 'Bearer aad-msi',
      'X-Databricks-Azure-Workspace-Resource-Id': resourceId,
      'X-Databricks-Azure-SP-Management-Token': 'mgmt-token',
    });
    expect(provider.authType).toBe('azure-msi');
    expect(fake.requests).toEqual([{ kind: 'msi', clientId: 'uami-client' }]);
    // ARM_USE_MSI=false counts as unset; another value is a clear error.
    expect(resolve({ env: { DATABRICKS_HOST: AZ_HOST, ARM_USE_MSI: 'false' } }).description.fallback).toBe('azure-cli');
    expect(userError(() => resolve({ env: { DATABRICKS_HOST: AZ_HOST, ARM_USE_MSI: 'yes please' } })).message).toContain('must be true or false');
  });

  it('turns a credential failure into a UserError with a hint and no secret', async () => {
    const { provider } = resolveAuth(
      { env: { DATABRICKS_HOST: AZ_HOST, ARM_CLIENT_ID: 'app', ARM_CLIENT_SECRET: 'arm-secret-value', ARM_TENANT_ID: 't' } },
      {
        azureCredentialFactory: () => ({
          getToken: async () => {
            throw new Error('AADSTS7000215: Invalid client secret provided: arm-secret-value');
          },
        }),
      },
    );
    const error = await provider.headers().then(
      () => undefined,
      (e: unknown) => e as UserError,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error?.message).toContain('AADSTS7000215');
    expect(error?.message).not.toContain('arm-secret-value');
    expect(error?.hint).toContain('ARM_CLIENT_SECRET');
  });
});
