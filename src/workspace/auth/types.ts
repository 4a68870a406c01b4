// The contract between auth and the HTTP client, and what `auth describe` may show.

/** Auth methods this client implements, named as DATABRICKS_AUTH_TYPE names them. */
export type AuthType =
  | 'pat'
  | 'basic'
  | 'oauth-m2m'
  | 'databricks-cli'
  | 'github-oidc'
  | 'env-oidc'
  | 'file-oidc'
  | 'azure-msi'
  | 'azure-client-secret'
  | 'azure-cli';

export const AUTH_TYPES: readonly AuthType[] = [
  'pat',
  'basic',
  'oauth-m2m',
  'databricks-cli',
  'github-oidc',
  'env-oidc',
  'file-oidc',
  'azure-msi',
  'azure-client-secret',
  'azure-cli',
];

/** A method that was tried at the first request and passed over, and why (never a secret). */
export interface SkippedMethod {
  auth_type: AuthType;
  reason: string;
}

/** Supplies request headers; may fetch and cache a token. Never exposes a secret except through headers(). */
export interface CredentialsProvider {
  /** The method in use; for a chain that decides at the first request, the one chosen so far. */
  readonly authType: AuthType;
  /** Headers to add to one request (Authorization, and the Azure management headers when relevant). */
  headers(): Promise<Record<string, string>>;
  /** Forget a cached token, e.g. after a 401, so the next headers() fetches a fresh one. */
  invalidate?(): void;
  /** Secret strings this provider knows (tokens, client secrets), so error text can be scrubbed of them. */
  knownSecrets(): string[];
  /** Methods passed over at the first request (the databricks-cli probe of the default chain). */
  skipped?(): SkippedMethod[];
  /** True until a chain has made its choice (at the first request). */
  undecided?(): boolean;
}

/** Where a configuration value came from. */
export interface AttributeSource {
  /** env: an environment variable; file: a config file profile; target: the bundle target; option: a command option. */
  kind: 'env' | 'file' | 'target' | 'option';
  /** DATABRICKS_HOST, `/home/u/.databrickscfg [prod]`, `targets.dev.workspace.host`, `--auth-type`. */
  name: string;
}

/** One configuration value as `auth describe` shows it: secrets are masked. */
export interface DescribedAttribute {
  value: string;
  source: AttributeSource;
}

/** What `dbx-ts auth whoami|describe` may show: how we authenticate and why, never with what. */
export interface AuthDescription {
  auth_type: AuthType;
  host: string;
  profile?: string;
  config_file?: string;
  /** Why this profile (absent when none was used). */
  profile_reason?: string;
  /** Why this auth method. */
  auth_reason: string;
  /** While undecided: the method used if the Databricks CLI has no login for the host (see choose.ts). */
  fallback?: AuthType;
  /** Methods tried before it, at the first request, and why they were passed over. */
  skipped?: SkippedMethod[];
  /** Every configuration value that was set, with its source; secrets as `********`. */
  configuration: Record<string, DescribedAttribute>;
}
