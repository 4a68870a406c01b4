// OAuth machine-to-machine (Databricks service principal with an OAuth secret): client credentials grant
// against the workspace's token endpoint, HTTP Basic client auth, scope all-apis (api-notes §10).
import { TokenCache } from './token-cache.ts';
import { requestOAuthToken } from './token-endpoint.ts';
import type { CredentialsProvider } from './types.ts';

export { OIDC_TOKEN_PATH } from './token-endpoint.ts';

export interface OAuthM2MOptions {
  host: string;
  clientId: string;
  clientSecret: string;
  now?: () => number;
  timeoutMs?: number;
}

export function oauthM2MProvider(options: OAuthM2MOptions): CredentialsProvider {
  const now = options.now ?? Date.now;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  const cache = new TokenCache(
    () =>
      requestOAuthToken({
        host: options.host,
        form: { grant_type: 'client_credentials', scope: 'all-apis' },
        headers: { Authorization: `Basic ${basic}` },
        secrets: [options.clientSecret, basic],
        method: 'OAuth M2M',
        hint: 'Check DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (or client_id/client_secret in your profile).',
        now,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
    now,
  );
  return {
    authType: 'oauth-m2m',
    headers: async () => ({ Authorization: `Bearer ${await cache.get()}` }),
    invalidate: () => cache.invalidate(),
    knownSecrets: () => [options.clientSecret, basic, ...(cache.peek() === undefined ? [] : [cache.peek() as string])],
  };
}
