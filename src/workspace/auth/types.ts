// The contract between auth and the HTTP client.

/** Auth methods this client implements, named as DATABRICKS_AUTH_TYPE names them. */
export type AuthType = 'pat' | 'basic' | 'oauth-m2m' | 'azure-client-secret' | 'azure-cli';

export const AUTH_TYPES: readonly AuthType[] = ['pat', 'basic', 'oauth-m2m', 'azure-client-secret', 'azure-cli'];

/** Supplies request headers; may fetch and cache a token. Never exposes a secret except through headers(). */
export interface CredentialsProvider {
  readonly authType: AuthType;
  /** Headers to add to one request (Authorization, and the Azure management headers when relevant). */
  headers(): Promise<Record<string, string>>;
  /** Forget a cached token, e.g. after a 401, so the next headers() fetches a fresh one. */
  invalidate?(): void;
  /** Secret strings this provider knows (tokens, client secrets), so error text can be scrubbed of them. */
  knownSecrets(): string[];
}

/** What `dbx-ts auth whoami` may show: how we authenticate, never with what. */
export interface AuthDescription {
  auth_type: AuthType;
  host: string;
  profile?: string;
  config_file?: string;
}
