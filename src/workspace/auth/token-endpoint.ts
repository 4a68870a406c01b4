// One OAuth token request against a workspace's token endpoint (form-encoded POST, JSON answer), shared by
// OAuth M2M and the OIDC token exchanges. Axios errors never escape: their config carries the credentials.
import axios from 'axios';
import { RemoteApiError, UserError } from '../../errors/index.ts';
import { scrubSecrets } from '../redact.ts';
import type { ExpiringToken } from './token-cache.ts';

export const OIDC_TOKEN_PATH = '/oidc/v1/token';

export interface TokenRequest {
  host: string;
  form: Record<string, string>;
  headers?: Record<string, string>;
  /** Strings to scrub from any message (client secret, ID token, Basic credentials). */
  secrets: string[];
  /** Names the method in messages, e.g. "OAuth M2M". */
  method: string;
  /** What to check when the endpoint refuses. */
  hint: string;
  now: () => number;
  timeoutMs?: number;
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

export async function requestOAuthToken(request: TokenRequest): Promise<ExpiringToken> {
  const url = `${request.host}${OIDC_TOKEN_PATH}`;
  let response;
  try {
    response = await axios.post<TokenResponse>(url, new URLSearchParams(request.form).toString(), {
      headers: { ...request.headers, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      timeout: request.timeoutMs ?? 60_000,
      maxRedirects: 0,
      validateStatus: () => true,
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new RemoteApiError(`${request.method} token request to ${url} failed: network error ${typeof code === 'string' ? code : 'unknown'}`, {
      error_code: typeof code === 'string' ? code : 'NETWORK_ERROR',
      method: 'POST',
      path: OIDC_TOKEN_PATH,
    });
  }
  const body = response.data;
  if (response.status !== 200 || typeof body?.access_token !== 'string') {
    const reason = [body?.error, body?.error_description].filter((p) => typeof p === 'string').join(': ');
    throw new UserError(scrubSecrets(`${request.method} token request failed (HTTP ${response.status}${reason ? `, ${reason}` : ''})`, request.secrets), request.hint);
  }
  const expiresInS = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
  return { token: body.access_token, expiresAt: request.now() + (Number.isFinite(expiresInS) ? expiresInS : 3600) * 1000 };
}
