// Workload identity federation: an OIDC ID token from the CI system (GitHub Actions), an environment variable or a
// file, exchanged at the workspace's token endpoint for a Databricks token (RFC 8693 token exchange), as the SDKs'
// github-oidc, env-oidc and file-oidc do. No long-lived secret: the ID token is minted per job.
import { readFile } from 'node:fs/promises';
import axios from 'axios';
import { UserError } from '../../errors/index.ts';
import { scrubSecrets } from '../redact.ts';
import { TokenCache } from './token-cache.ts';
import { OIDC_TOKEN_PATH, requestOAuthToken } from './token-endpoint.ts';
import type { AuthType, CredentialsProvider } from './types.ts';

/** Supplies an ID token for an audience; `secrets` are what it holds that must never be shown. */
export interface IdTokenSource {
  idToken(audience: string): Promise<string>;
  secrets(): string[];
}

/** GitHub Actions: GET ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with the request token; the answer is `{ value }`. */
export function githubIdTokenSource(requestUrl: string, requestToken: string, timeoutMs = 30_000): IdTokenSource {
  let last: string | undefined;
  return {
    secrets: () => [requestToken, ...(last === undefined ? [] : [last])],
    async idToken(audience) {
      const url = new URL(requestUrl);
      url.searchParams.set('audience', audience);
      const hint = 'Give the workflow job `permissions: id-token: write`, and set DATABRICKS_CLIENT_ID to the service principal that has a federation policy for this repository.';
      let response;
      try {
        response = await axios.get<{ value?: unknown }>(url.toString(), {
          headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json' },
          timeout: timeoutMs,
          validateStatus: () => true,
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new UserError(`Could not reach the GitHub Actions ID token service (${url.host}): ${typeof code === 'string' ? code : 'network error'}`, hint);
      }
      if (response.status !== 200 || typeof response.data?.value !== 'string' || response.data.value === '') {
        throw new UserError(scrubSecrets(`The GitHub Actions ID token request failed (HTTP ${response.status})`, [requestToken]), hint);
      }
      last = response.data.value;
      return last;
    },
  };
}

/** env-oidc: the ID token is the value of an environment variable (DATABRICKS_OIDC_TOKEN by default). */
export function envIdTokenSource(env: Record<string, string | undefined>, name: string): IdTokenSource {
  return {
    secrets: () => [env[name] ?? ''].filter((s) => s !== ''),
    async idToken() {
      const value = env[name]?.trim();
      if (!value) throw new UserError(`env-oidc: ${name} is empty`, `Set ${name} to an OIDC ID token, or DATABRICKS_OIDC_TOKEN_ENV to the variable that holds one.`);
      return value;
    },
  };
}

/** file-oidc: the ID token is the content of a file, read at each exchange (CI systems rotate it). */
export function fileIdTokenSource(path: string): IdTokenSource {
  let last: string | undefined;
  return {
    secrets: () => (last === undefined ? [] : [last]),
    async idToken() {
      let text: string;
      try {
        text = (await readFile(path, 'utf8')).trim();
      } catch (error) {
        throw new UserError(`file-oidc: cannot read the ID token file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'Check DATABRICKS_OIDC_TOKEN_FILEPATH.');
      }
      if (text === '') throw new UserError(`file-oidc: the ID token file ${path} is empty`, 'Check DATABRICKS_OIDC_TOKEN_FILEPATH.');
      last = text;
      return text;
    },
  };
}

export interface OidcProviderOptions {
  authType: Extract<AuthType, 'github-oidc' | 'env-oidc' | 'file-oidc'>;
  host: string;
  /** The service principal with the federation policy; without it, account-wide token federation. */
  clientId?: string;
  /** DATABRICKS_TOKEN_AUDIENCE; by default the workspace's token endpoint. */
  audience?: string;
  source: IdTokenSource;
  now?: () => number;
}

export function oidcProvider(options: OidcProviderOptions): CredentialsProvider {
  const now = options.now ?? Date.now;
  const audience = options.audience ?? `${options.host}${OIDC_TOKEN_PATH}`;
  const cache = new TokenCache(async () => {
    const idToken = await options.source.idToken(audience);
    return requestOAuthToken({
      host: options.host,
      form: {
        ...(options.clientId === undefined ? {} : { client_id: options.clientId }),
        scope: 'all-apis',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        subject_token: idToken,
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      },
      secrets: [idToken, ...options.source.secrets()],
      method: `OIDC token exchange (${options.authType})`,
      hint:
        'Check that the service principal (DATABRICKS_CLIENT_ID) has a federation policy whose issuer, subject and audience match this ID token ' +
        `(audience ${audience}).`,
      now,
    });
  }, now);
  return {
    authType: options.authType,
    headers: async () => ({ Authorization: `Bearer ${await cache.get()}` }),
    invalidate: () => cache.invalidate(),
    knownSecrets: () => [...options.source.secrets(), ...(cache.peek() === undefined ? [] : [cache.peek() as string])],
  };
}
