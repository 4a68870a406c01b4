// OAuth machine-to-machine (Databricks service principal with an OAuth secret): client credentials grant
// against the workspace's token endpoint, HTTP Basic client auth, scope all-apis (api-notes §10).
import axios from 'axios';
import { RemoteApiError, UserError } from '../../errors/index.ts';
import { scrubSecrets } from '../redact.ts';
import { TokenCache, type ExpiringToken } from './token-cache.ts';
import type { CredentialsProvider } from './types.ts';

export const OIDC_TOKEN_PATH = '/oidc/v1/token';

export interface OAuthM2MOptions {
  host: string;
  clientId: string;
  clientSecret: string;
  now?: () => number;
  timeoutMs?: number;
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

async function requestToken(options: OAuthM2MOptions, now: () => number): Promise<ExpiringToken> {
  const url = `${options.host}${OIDC_TOKEN_PATH}`;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  const scrub = (text: string) => scrubSecrets(text, [options.clientSecret, basic]);
  let response;
  try {
    response = await axios.post<TokenResponse>(url, new URLSearchParams({ grant_type: 'client_credentials', scope: 'all-apis' }).toString(), {
      headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      timeout: options.timeoutMs ?? 60_000,
      maxRedirects: 0,
      validateStatus: () => true,
    });
  } catch (error) {
    // Never rethrow the axios error: its config holds the Basic credentials.
    const code = (error as { code?: unknown }).code;
    throw new RemoteApiError(`OAuth token request to ${url} failed: network error ${typeof code === 'string' ? code : 'unknown'}`, {
      error_code: typeof code === 'string' ? code : 'NETWORK_ERROR',
      method: 'POST',
      path: OIDC_TOKEN_PATH,
    });
  }
  const body = response.data;
  if (response.status !== 200 || typeof body?.access_token !== 'string') {
    const reason = [body?.error, body?.error_description].filter((p) => typeof p === 'string').join(': ');
    throw new UserError(
      scrub(`OAuth M2M token request failed (HTTP ${response.status}${reason ? `, ${reason}` : ''})`),
      'Check DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (or client_id/client_secret in your profile).',
    );
  }
  const expiresInS = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
  return { token: body.access_token, expiresAt: now() + (Number.isFinite(expiresInS) ? expiresInS : 3600) * 1000 };
}

export function oauthM2MProvider(options: OAuthM2MOptions): CredentialsProvider {
  const now = options.now ?? Date.now;
  const cache = new TokenCache(() => requestToken(options, now), now);
  return {
    authType: 'oauth-m2m',
    headers: async () => ({ Authorization: `Bearer ${await cache.get()}` }),
    invalidate: () => cache.invalidate(),
    knownSecrets: () => [options.clientSecret, ...(cache.peek() === undefined ? [] : [cache.peek() as string])],
  };
}
