// Workload identity federation: a GitHub Actions (or env/file) ID token exchanged at {host}/oidc/v1/token.
import nock from 'nock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors/index.ts';
import { resolveAuth } from '../../../src/workspace/auth/resolve.ts';
import { fakeClock, useNock } from '../helpers.ts';

useNock();

const HOST = 'https://dbc-abc.cloud.databricks.com';
const GH = 'https://pipelines.actions.example';
const REQUEST_TOKEN = 'gh-request-token-SECRET';
const ID_TOKEN = 'eyJ.gh-id-token.SECRET';
const AUDIENCE = `${HOST}/oidc/v1/token`;

/** GitHub Actions' environment, with no Databricks CLI to probe (PATH is empty). */
const ACTIONS = {
  PATH: '',
  DATABRICKS_HOST: HOST,
  DATABRICKS_CLIENT_ID: 'sp-app-id',
  ACTIONS_ID_TOKEN_REQUEST_URL: `${GH}/idtoken?api-version=2.0`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
};

function githubIdToken(audience = AUDIENCE) {
  return nock(GH, { reqheaders: { authorization: `Bearer ${REQUEST_TOKEN}` } })
    .get('/idtoken')
    .query({ 'api-version': '2.0', audience })
    .reply(200, { count: 1, value: ID_TOKEN });
}

function exchange(form: Record<string, string>, token: string, expiresIn = 3600) {
  return nock(HOST, { badheaders: ['authorization'] })
    .post('/oidc/v1/token', (body: Record<string, string>) => JSON.stringify(body) === JSON.stringify(form))
    .reply(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });
}

const EXCHANGE_FORM = {
  client_id: 'sp-app-id',
  scope: 'all-apis',
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  subject_token: ID_TOKEN,
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
};

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('github-oidc', () => {
  it('is chosen in GitHub Actions with a client id, after the Databricks CLI probe finds no CLI', async () => {
    const clock = fakeClock();
    const { provider, description } = resolveAuth({ env: ACTIONS }, { now: clock.now });
    expect(description).toMatchObject({ auth_type: 'databricks-cli', fallback: 'github-oidc' });
    expect(description.auth_reason).toContain('then github-oidc: a client_id (DATABRICKS_CLIENT_ID) and a GitHub Actions ID token');
    githubIdToken();
    exchange(EXCHANGE_FORM, 'wif-token-1');
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer wif-token-1' });
    expect(provider.authType).toBe('github-oidc');
    // Cached until 40 s before expiry, then a new ID token is exchanged.
    clock.time += 3500_000;
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer wif-token-1' });
    clock.time += 61_000;
    githubIdToken();
    exchange(EXCHANGE_FORM, 'wif-token-2');
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer wif-token-2' });
  });

  it('uses DATABRICKS_TOKEN_AUDIENCE as the audience when set', async () => {
    const { provider } = resolveAuth({ env: { ...ACTIONS, DATABRICKS_AUTH_TYPE: 'github-oidc', DATABRICKS_TOKEN_AUDIENCE: 'my-audience' } });
    githubIdToken('my-audience');
    exchange(EXCHANGE_FORM, 'aud-token');
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer aud-token' });
  });

  it('explains a refused ID token request without showing the request token', async () => {
    const { provider } = resolveAuth({ env: { ...ACTIONS, DATABRICKS_AUTH_TYPE: 'github-oidc' } });
    nock(GH).get('/idtoken').query(true).reply(403, { message: `bad token ${REQUEST_TOKEN}` });
    const error = await failure(provider.headers());
    expect(error.message).toBe('The GitHub Actions ID token request failed (HTTP 403)');
    expect(error.hint).toContain('id-token: write');
    expect(JSON.stringify({ m: error.message, h: error.hint })).not.toContain(REQUEST_TOKEN);
  });

  it('explains a refused exchange without showing the ID token', async () => {
    const { provider } = resolveAuth({ env: { ...ACTIONS, DATABRICKS_AUTH_TYPE: 'github-oidc' } });
    githubIdToken();
    nock(HOST).post('/oidc/v1/token').reply(400, { error: 'invalid_grant', error_description: `no federation policy matches ${ID_TOKEN}` });
    const error = await failure(provider.headers());
    expect(error.message).toContain('OIDC token exchange (github-oidc) token request failed (HTTP 400, invalid_grant: no federation policy matches');
    expect(error.message).not.toContain(ID_TOKEN);
    expect(error.hint).toContain('federation policy');
  });

  it('with auth_type github-oidc outside GitHub Actions, names the missing variables', () => {
    expect(() => resolveAuth({ env: { DATABRICKS_HOST: HOST, DATABRICKS_AUTH_TYPE: 'github-oidc' } })).toThrow(
      'Auth type github-oidc needs actions_id_token_request_url (ACTIONS_ID_TOKEN_REQUEST_URL) and actions_id_token_request_token (ACTIONS_ID_TOKEN_REQUEST_TOKEN)',
    );
  });
});

describe('env-oidc and file-oidc', () => {
  it('exchanges DATABRICKS_OIDC_TOKEN, or the variable DATABRICKS_OIDC_TOKEN_ENV names', async () => {
    const env = { PATH: '', DATABRICKS_HOST: HOST, DATABRICKS_CLIENT_ID: 'sp-app-id', DATABRICKS_OIDC_TOKEN: ID_TOKEN };
    const { provider, description } = resolveAuth({ env });
    expect(description).toMatchObject({ fallback: 'env-oidc' });
    expect(description.auth_reason).toContain('an OIDC ID token is set in DATABRICKS_OIDC_TOKEN');
    exchange(EXCHANGE_FORM, 'env-token');
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer env-token' });

    // oidc_token_env is an env-oidc attribute, client_id an oauth one: as in the SDKs, auth_type must pick.
    const named = { DATABRICKS_HOST: HOST, DATABRICKS_CLIENT_ID: 'sp-app-id', CI_ID_TOKEN: ID_TOKEN, DATABRICKS_OIDC_TOKEN_ENV: 'CI_ID_TOKEN' };
    expect(() => resolveAuth({ env: named })).toThrow('More than one authorization method configured: env-oidc and oauth');
    exchange(EXCHANGE_FORM, 'named-env-token');
    expect(await resolveAuth({ env: { ...named, DATABRICKS_AUTH_TYPE: 'env-oidc' } }).provider.headers()).toEqual({ Authorization: 'Bearer named-env-token' });
  });

  it('exchanges the content of DATABRICKS_OIDC_TOKEN_FILEPATH, read at each exchange', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dbx-oidc-'));
    writeFileSync(join(dir, 'token'), `${ID_TOKEN}\n`);
    const env = { DATABRICKS_HOST: HOST, DATABRICKS_AUTH_TYPE: 'file-oidc', DATABRICKS_OIDC_TOKEN_FILEPATH: join(dir, 'token') };
    const { provider } = resolveAuth({ env });
    const { client_id: _none, ...withoutClient } = EXCHANGE_FORM;
    exchange(withoutClient, 'file-token'); // no client id: account-wide token federation
    expect(await provider.headers()).toEqual({ Authorization: 'Bearer file-token' });
  });
});
