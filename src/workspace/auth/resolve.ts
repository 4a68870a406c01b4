// Unified authentication, resolved as the Databricks CLI and SDKs do: gather the configuration (load-config.ts),
// choose the method (choose.ts), build its provider, and describe all of it without a secret. No I/O here beyond
// what the caller passes in: providers fetch tokens only when asked for headers.
import { UserError } from '../../errors/index.ts';
import { secureHost } from '../host.ts';
import { ATTRIBUTE_BY_NAME, ATTRIBUTES, isSet, nonEmpty, type DatabricksConfig } from './attributes.ts';
import { azureProvider, type AzureCredentialFactory } from './azure.ts';
import { probeFirst } from './chain.ts';
import { chooseAuth, oidcTokenEnvName } from './choose.ts';
import type { ConfigFile } from './config-file.ts';
import { databricksCliProvider } from './databricks-cli.ts';
import { loadConfig, type LoadedConfig, type TargetWorkspace } from './load-config.ts';
import { oauthM2MProvider } from './oauth-m2m.ts';
import { envIdTokenSource, fileIdTokenSource, githubIdTokenSource, oidcProvider } from './oidc.ts';
import { basicProvider, patProvider } from './static-providers.ts';
import type { AuthDescription, AuthType, CredentialsProvider, DescribedAttribute } from './types.ts';

export type { TargetWorkspace } from './load-config.ts';

export interface ResolveAuthInput {
  env: Record<string, string | undefined>;
  /** The config file's path and text, when it exists (see readConfigFile). */
  configFile?: ConfigFile;
  /** Explicit options: they win over the environment and the config file (the SDKs' constructor arguments). */
  host?: string;
  profile?: string;
  authType?: string;
  /**
   * A bundle target's workspace.host / workspace.profile: resolved as the Databricks CLI's bundle commands do
   * (DATABRICKS_CONFIG_PROFILE, which -p sets, wins over the target's profile; a host-only target picks the one
   * profile with that host; a selected profile wins over auth variables in the environment).
   */
  target?: TargetWorkspace;
}

/** Injected into the providers; tests use them to avoid real token endpoints and the Azure CLI. */
export interface AuthDeps {
  now?: () => number;
  azureCredentialFactory?: AzureCredentialFactory;
}

export interface ResolvedAuth {
  description: AuthDescription;
  provider: CredentialsProvider;
}

function noCredentialsHint(host: string): string {
  return (
    `Log in with \`databricks auth login --host ${host}\` (the Databricks CLI), or set DATABRICKS_TOKEN (personal access token), ` +
    'DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET (OAuth M2M), DATABRICKS_CLIENT_ID in GitHub Actions with `id-token: write` (github-oidc), ' +
    'ARM_CLIENT_ID + ARM_CLIENT_SECRET + ARM_TENANT_ID (Entra ID service principal) or ARM_USE_MSI=true (managed identity) on Azure, ' +
    'or pick a profile from ~/.databrickscfg with -p/--profile.'
  );
}

function requireAttributes(config: DatabricksConfig, authType: AuthType, names: (keyof DatabricksConfig)[]): void {
  const missing = names.filter((n) => !isSet(config, n));
  if (missing.length > 0) {
    throw new UserError(
      `Auth type ${authType} needs ${missing.map((n) => `${n} (${ATTRIBUTE_BY_NAME[n].env})`).join(' and ')}`,
      'Set them in the environment or in your ~/.databrickscfg profile.',
    );
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>);
}

function buildProvider(authType: AuthType, loaded: LoadedConfig, host: string, env: Record<string, string | undefined>, deps: AuthDeps): CredentialsProvider {
  const { config } = loaded;
  const now = deps.now ?? Date.now;
  const azure = { host, now, ...optional('credentialFactory', deps.azureCredentialFactory), ...optional('workspaceResourceId', config.azure_workspace_resource_id) };
  switch (authType) {
    case 'pat':
      requireAttributes(config, authType, ['token']);
      return patProvider(config.token as string);
    case 'basic':
      requireAttributes(config, authType, ['username', 'password']);
      return basicProvider(config.username as string, config.password as string);
    case 'oauth-m2m':
      requireAttributes(config, authType, ['client_id', 'client_secret']);
      return oauthM2MProvider({ host, clientId: config.client_id as string, clientSecret: config.client_secret as string, now });
    case 'databricks-cli':
      return databricksCliProvider({ host, env, now, ...optional('profile', loaded.profile?.name), ...optional('cliPath', config.databricks_cli_path) });
    case 'github-oidc':
      requireAttributes(config, authType, ['actions_id_token_request_url', 'actions_id_token_request_token']);
      return oidcProvider({
        authType,
        host,
        now,
        source: githubIdTokenSource(config.actions_id_token_request_url as string, config.actions_id_token_request_token as string),
        ...optional('clientId', config.client_id),
        ...optional('audience', config.audience),
      });
    case 'env-oidc':
      return oidcProvider({ authType, host, now, source: envIdTokenSource(env, oidcTokenEnvName(config)), ...optional('clientId', config.client_id), ...optional('audience', config.audience) });
    case 'file-oidc':
      requireAttributes(config, authType, ['oidc_token_filepath']);
      return oidcProvider({ authType, host, now, source: fileIdTokenSource(config.oidc_token_filepath as string), ...optional('clientId', config.client_id), ...optional('audience', config.audience) });
    case 'azure-msi':
      return azureProvider({ ...azure, authType, ...optional('clientId', config.azure_client_id) });
    case 'azure-client-secret':
      requireAttributes(config, authType, ['azure_client_id', 'azure_client_secret']);
      return azureProvider({
        ...azure,
        authType,
        clientId: config.azure_client_id as string,
        clientSecret: config.azure_client_secret as string,
        ...optional('tenantId', config.azure_tenant_id),
        ...optional('environment', config.azure_environment),
      });
    case 'azure-cli':
      return azureProvider({ ...azure, authType, ...optional('tenantId', config.azure_tenant_id) });
  }
}

/** Every value that was set, with its source; secrets masked. */
function describeConfiguration(loaded: LoadedConfig): Record<string, DescribedAttribute> {
  const out: Record<string, DescribedAttribute> = {};
  for (const a of ATTRIBUTES) {
    const value = loaded.config[a.name];
    const source = loaded.sources[a.name];
    if (!nonEmpty(value) || source === undefined) continue;
    out[a.name] = { value: a.secret ? '********' : value, source };
  }
  if (loaded.profile !== undefined) out['profile'] = { value: loaded.profile.name, source: loaded.profile.source };
  return out;
}

/**
 * Resolves host and credentials. Throws a UserError for a missing host, an unknown or missing profile, a profile
 * whose host is not the target's, an ambiguous or incomplete auth configuration, and a non-https host that is not
 * loopback. Whether the Databricks CLI has a login is found out at the first request.
 */
export function resolveAuth(input: ResolveAuthInput, deps: AuthDeps = {}): ResolvedAuth {
  const loaded = loadConfig(input);
  const { config } = loaded;
  if (!nonEmpty(config.host)) {
    throw new UserError(
      'No Databricks host configured',
      "Set the target's workspace.host, DATABRICKS_HOST, or pick a profile with a host (-p/--profile, DATABRICKS_CONFIG_PROFILE).",
    );
  }
  const host = secureHost(config.host);
  const choice = chooseAuth(config, host, input.env, loaded.sources);
  const [first, fallback] = choice.candidates as [AuthType, AuthType | undefined];
  const firstProvider = buildProvider(first, loaded, host, input.env, deps);
  // Without auth_type, databricks-cli is only a guess: its failure moves on to the fallback, or says nothing was found.
  const provider =
    first === 'databricks-cli' && !nonEmpty(config.auth_type)
      ? probeFirst(firstProvider, fallback === undefined ? undefined : buildProvider(fallback, loaded, host, input.env, deps), (miss) =>
          new UserError(`No Databricks credentials found for ${host} (${miss.reason})`, noCredentialsHint(host)),
        )
      : firstProvider;

  const description: AuthDescription = {
    auth_type: first,
    ...(fallback === undefined ? {} : { fallback }),
    host,
    auth_reason: choice.reason,
    configuration: describeConfiguration(loaded),
  };
  if (loaded.profile !== undefined) {
    description.profile = loaded.profile.name;
    description.config_file = loaded.profile.file.path;
    description.profile_reason = loaded.profile.reason;
  }
  return { description, provider };
}
