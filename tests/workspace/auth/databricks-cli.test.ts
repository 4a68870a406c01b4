// databricks-cli auth: the token comes from a stub `databricks` on PATH, as the SDKs read it from the real CLI.
import type { AccessToken, TokenCredential } from '@azure/identity';
import nock from 'nock';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors/index.ts';
import { parseExpiry } from '../../../src/workspace/auth/databricks-cli.ts';
import { resolveAuth } from '../../../src/workspace/auth/resolve.ts';
import { createWorkspaceClient } from '../../../src/workspace/api.ts';
import { fakeClock, useNock } from '../helpers.ts';
import { databricksStub, type CliStub } from './cli-stub.ts';

const HOST = 'https://dbc-abc.cloud.databricks.com';
const AZ_HOST = 'https://adb-1234567890123456.7.azuredatabricks.net';
const CFG = { path: '/home/u/.databrickscfg', text: `[dev]\nhost = ${HOST}\nauth_type = databricks-cli\n` };

useNock();

const stubs: CliStub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.remove()));
});

async function stub(version?: [number, number, number] | null): Promise<CliStub> {
  const s = await databricksStub(version);
  stubs.push(s);
  return s;
}

const pathWith = (dir: string) => `${dir}:${process.env.PATH ?? ''}`;

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('databricks-cli auth', () => {
  it('runs `databricks auth token --profile <p> --force-refresh` for a profile written by `databricks auth login`', async () => {
    const cli = await stub([0, 296, 0]);
    const clock = fakeClock();
    await cli.answer('u2m-token-1', clock.time + 3600_000);
    const { provider, description } = resolveAuth({ env: { PATH: pathWith(cli.dir), DATABRICKS_CONFIG_PROFILE: 'dev' }, configFile: CFG }, { now: clock.now });
    expect(description).toMatchObject({ auth_type: 'databricks-cli', profile: 'dev', auth_reason: `auth_type is databricks-cli (auth_type in ${CFG.path} [dev])` });
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer u2m-token-1' });
    expect(await cli.calls()).toEqual(['version --output json', 'auth token --profile dev --force-refresh']);
  });

  it('caches the token and asks the CLI again 40 s before it expires', async () => {
    const cli = await stub();
    const clock = fakeClock();
    await cli.answer('u2m-token-1', clock.time + 3600_000);
    const { provider } = resolveAuth({ env: { PATH: pathWith(cli.dir), DATABRICKS_HOST: HOST, DATABRICKS_AUTH_TYPE: 'databricks-cli' } }, { now: clock.now });
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer u2m-token-1' });
    clock.time += 3500_000; // 100 s left
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer u2m-token-1' });
    await cli.answer('u2m-token-2', clock.time + 3600_000);
    clock.time += 61_000; // 39 s left
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer u2m-token-2' });
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer u2m-token-2' });
    // The version is probed once; `auth token` ran twice, by host since no profile was selected.
    expect(await cli.calls()).toEqual(['version --output json', `auth token --host ${HOST} --force-refresh`, `auth token --host ${HOST} --force-refresh`]);
  });

  it('asks by host and without --force-refresh when the CLI is too old for them', async () => {
    const cli = await stub([0, 200, 0]);
    await cli.answer('old-cli-token', Date.now() + 3600_000);
    const { provider } = resolveAuth({ env: { PATH: pathWith(cli.dir), DATABRICKS_CONFIG_PROFILE: 'dev' }, configFile: CFG });
    await provider.headers();
    expect(await cli.calls()).toEqual(['version --output json', `auth token --host ${HOST}`]);
  });

  it('uses DATABRICKS_CLI_PATH when set', async () => {
    const cli = await stub();
    await cli.answer('via-path', Date.now() + 3600_000);
    const env = { PATH: process.env.PATH ?? '', DATABRICKS_HOST: HOST, DATABRICKS_AUTH_TYPE: 'databricks-cli', DATABRICKS_CLI_PATH: join(cli.dir, 'databricks') };
    expect(await resolveAuth({ env }).provider.headers()).toEqual({ Authorization: 'Bearer via-path' });
  });

  it('two clients of one process share the token (deploy opens two)', async () => {
    const cli = await stub();
    await cli.answer('shared', Date.now() + 3600_000);
    const env = { PATH: pathWith(cli.dir), DATABRICKS_CONFIG_PROFILE: 'dev' };
    await resolveAuth({ env, configFile: CFG }).provider.headers();
    await resolveAuth({ env, configFile: CFG }).provider.headers();
    expect((await cli.calls()).filter((c) => c.startsWith('auth token'))).toHaveLength(1);
  });

  it('says to install the CLI and log in when `databricks` is missing (auth_type databricks-cli)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dbx-empty-path-'));
    const { provider } = resolveAuth({ env: { PATH: empty, DATABRICKS_CONFIG_PROFILE: 'dev' }, configFile: CFG });
    const error = await failure(provider.headers());
    expect(error.message).toBe('The Databricks CLI (`databricks`) is not on PATH');
    expect(error.hint).toContain(`databricks auth login --host ${HOST} --profile dev`);
  });

  it('passes on the CLI’s message and says how to log in when it has no login', async () => {
    const cli = await stub();
    await cli.fail('Error: cache: databricks OAuth is not configured for this host. Try logging in again with `databricks auth login --host x`');
    const { provider } = resolveAuth({ env: { PATH: pathWith(cli.dir), DATABRICKS_CONFIG_PROFILE: 'dev' }, configFile: CFG });
    const error = await failure(provider.headers());
    expect(error.message).toContain('`databricks auth token --profile dev --force-refresh` failed: Error: cache: databricks OAuth is not configured');
    expect(error.hint).toBe(`Run \`databricks auth login --host ${HOST} --profile dev\` and try again.`);
  });

  it('refuses the legacy Python CLI', async () => {
    const cli = await stub([0, 18, 0]);
    const { provider } = resolveAuth({ env: { PATH: pathWith(cli.dir), DATABRICKS_HOST: HOST, DATABRICKS_AUTH_TYPE: 'databricks-cli' } });
    expect((await failure(provider.headers())).message).toContain('legacy Databricks CLI (v0.18.0)');
  });

  it('asks the CLI again after a 401 (a login revoked before its expiry)', async () => {
    const cli = await stub();
    await cli.answer('revoked', Date.now() + 3600_000);
    const client = createWorkspaceClient({ env: { PATH: pathWith(cli.dir), DATABRICKS_CONFIG_PROFILE: 'dev' }, configFile: CFG });
    const me = (token: string) => nock(HOST, { reqheaders: { authorization: `Bearer ${token}` } }).get('/api/2.0/preview/scim/v2/Me');
    me('revoked').reply(200, { id: '7', userName: 'me@example.com' });
    await client.scim.me();
    await cli.answer('fresh', Date.now() + 3600_000);
    me('revoked').reply(401, { error_code: 'UNAUTHENTICATED', message: 'revoked' });
    me('fresh').reply(200, { id: '7', userName: 'me@example.com' });
    await expect(client.scim.me()).resolves.toMatchObject({ userName: 'me@example.com' });
    expect((await cli.calls()).filter((c) => c.startsWith('auth token'))).toHaveLength(2);
  });
});

describe('the default chain', () => {
  function fakeAzure(): (request: unknown) => TokenCredential {
    return () => ({ getToken: async (): Promise<AccessToken> => ({ token: 'aad-cli', expiresOnTimestamp: Date.now() + 3600_000 }) });
  }

  it('uses the Databricks CLI login for a host without other credentials', async () => {
    const cli = await stub();
    await cli.answer('from-login', Date.now() + 3600_000);
    const { provider, description } = resolveAuth({ env: { PATH: pathWith(cli.dir), DATABRICKS_HOST: AZ_HOST } }, { azureCredentialFactory: fakeAzure() });
    expect(description).toMatchObject({ auth_type: 'databricks-cli', fallback: 'azure-cli' });
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer from-login' });
    expect(provider.authType).toBe('databricks-cli');
  });

  it('falls back (here to the Azure CLI) when the Databricks CLI has no login, and says why', async () => {
    const cli = await stub();
    await cli.fail('Error: cache: databricks OAuth is not configured for this host');
    const client = createWorkspaceClient({ env: { PATH: pathWith(cli.dir), DATABRICKS_HOST: AZ_HOST }, configFile: null, azureCredentialFactory: fakeAzure() });
    nock(AZ_HOST, { reqheaders: { authorization: 'Bearer aad-cli' } }).get('/api/2.0/preview/scim/v2/Me').reply(200, { id: '1', userName: 'az@example.com' });
    await client.scim.me();
    expect(client.auth).toMatchObject({ auth_type: 'azure-cli', skipped: [{ auth_type: 'databricks-cli' }] });
    expect(client.auth.fallback).toBeUndefined();
    expect(client.auth.skipped?.[0]?.reason).toContain('databricks OAuth is not configured for this host');
  });

  it('says nothing was found, naming `databricks auth login --host`, when there is no fallback', async () => {
    const cli = await stub();
    await cli.fail('Error: cache: databricks OAuth is not configured for this host');
    const { provider } = resolveAuth({ env: { PATH: pathWith(cli.dir), DATABRICKS_HOST: HOST } });
    const error = await failure(provider.headers());
    expect(error.message).toContain(`No Databricks credentials found for ${HOST}`);
    expect(error.hint).toContain(`databricks auth login --host ${HOST}`);
  });
});

describe('expiry parsing', () => {
  it('reads RFC 3339 with nanoseconds and offsets, and the space-separated local form', () => {
    expect(parseExpiry('2024-03-20T10:30:00.123456789Z')).toBe(Date.UTC(2024, 2, 20, 10, 30, 0, 123));
    expect(parseExpiry('2024-03-20T10:30:00+01:00')).toBe(Date.UTC(2024, 2, 20, 9, 30, 0));
    expect(parseExpiry('2024-03-20 10:30:00.5')).toBe(new Date(2024, 2, 20, 10, 30, 0, 500).getTime());
    expect(parseExpiry('tomorrow')).toBeUndefined();
  });
});
