// Unified authentication, resolved as the Databricks CLI and SDKs do (api-notes §10): explicit arguments, then
// environment variables, then a ~/.databrickscfg profile; then exactly one auth method. Pure: the caller reads
// the config file (config-file.ts); providers do their I/O only when asked for headers.
import { UserError } from '../../errors/index.ts';
import { secureHost } from '../host.ts';
import { ATTRIBUTES, authGroupsUsed, ENV_OF, isAzureHost, nonEmpty, type AttributeName, type DatabricksConfig } from './attributes.ts';
import { azureProvider, type AzureCredentialFactory } from './azure.ts';
import { parseIni, type ConfigFile } from './config-file.ts';
import { oauthM2MProvider } from './oauth-m2m.ts';
import { basicProvider, patProvider } from './static-providers.ts';
import { AUTH_TYPES, type AuthDescription, type AuthType, type CredentialsProvider } from './types.ts';

export interface ResolveAuthInput {
  env: Record<string, string | undefined>;
  /** The config file's path and text, when it exists (see readConfigFile). */
  configFile?: ConfigFile;
  /** Explicit values win over the environment (e.g. the bundle target's workspace.host / profile). */
  host?: string;
  profile?: string;
  authType?: string;
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

const NO_CREDENTIALS_HINT =
  'Set DATABRICKS_TOKEN (personal access token), DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET (OAuth M2M), ' +
  'ARM_CLIENT_ID + ARM_CLIENT_SECRET + ARM_TENANT_ID (Entra ID service principal), log in with `az login` on an ' +
  'Azure workspace, or pick a profile from ~/.databrickscfg with DATABRICKS_CONFIG_PROFILE.';

function fill(config: DatabricksConfig, name: AttributeName, value: string | undefined): void {
  if (!nonEmpty(config[name]) && nonEmpty(value)) config[name] = value.trim();
}

function fromFile(config: DatabricksConfig, file: ConfigFile | undefined, explicitProfile: string | undefined): string | undefined {
  if (file === undefined) {
    if (explicitProfile !== undefined) {
      throw new UserError(`Profile "${explicitProfile}" was requested but there is no Databricks config file`, 'Create ~/.databrickscfg or set DATABRICKS_CONFIG_FILE.');
    }
    return undefined;
  }
  const sections = parseIni(file.text);
  const defaultProfile = sections.get('__settings__')?.['default_profile'];
  const profile = explicitProfile ?? (nonEmpty(defaultProfile) ? defaultProfile : undefined);
  const section = sections.get(profile ?? 'DEFAULT');
  if (section === undefined) {
    if (profile === undefined) return undefined; // a missing DEFAULT is fine
    throw new UserError(`${file.path} has no [${profile}] profile`, `Profiles in the file: ${[...sections.keys()].filter((s) => s !== '__settings__').join(', ') || 'none'}.`);
  }
  for (const attribute of ATTRIBUTES) fill(config, attribute.name, section[attribute.name]);
  return profile ?? 'DEFAULT';
}

function requireAttributes(config: DatabricksConfig, authType: AuthType, names: AttributeName[]): void {
  const missing = names.filter((n) => !nonEmpty(config[n]));
  if (missing.length > 0) {
    throw new UserError(
      `Auth type ${authType} needs ${missing.map((n) => `${n} (${ENV_OF[n]})`).join(' and ')}`,
      'Set them in the environment or in your ~/.databrickscfg profile.',
    );
  }
}

/** Which provider applies: the one auth_type names, else the first whose attributes are present. */
function chooseAuthType(config: DatabricksConfig, host: string): AuthType {
  if (nonEmpty(config.auth_type)) {
    const wanted = config.auth_type as AuthType;
    if (!AUTH_TYPES.includes(wanted)) {
      throw new UserError(`Unsupported auth type "${config.auth_type}"`, `Supported: ${AUTH_TYPES.join(', ')}.`);
    }
    return wanted;
  }
  const groups = authGroupsUsed(config);
  if (groups.length > 1) {
    throw new UserError(
      `More than one authorization method configured: ${groups.join(' and ')}`,
      'Unset the ones you do not want, or choose one with DATABRICKS_AUTH_TYPE (pat, basic, oauth-m2m, azure-client-secret, azure-cli).',
    );
  }
  if (nonEmpty(config.token)) return 'pat';
  if (nonEmpty(config.username) && nonEmpty(config.password)) return 'basic';
  if (nonEmpty(config.client_id) && nonEmpty(config.client_secret)) return 'oauth-m2m';
  const azure = isAzureHost(host) || nonEmpty(config.azure_workspace_resource_id);
  if (azure && nonEmpty(config.azure_client_id) && nonEmpty(config.azure_client_secret)) return 'azure-client-secret';
  if (azure && groups.length === 0) return 'azure-cli';
  if (nonEmpty(config.azure_client_id) && !azure) {
    throw new UserError(
      `ARM_CLIENT_ID is set but ${host} is not an Azure Databricks host`,
      'Set DATABRICKS_AUTH_TYPE=azure-client-secret to use it anyway, or use a Databricks credential.',
    );
  }
  throw new UserError(`No Databricks credentials found for ${host}`, NO_CREDENTIALS_HINT);
}

function buildProvider(authType: AuthType, config: DatabricksConfig, host: string, deps: AuthDeps): CredentialsProvider {
  const now = deps.now ?? Date.now;
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
    case 'azure-client-secret':
      requireAttributes(config, authType, ['azure_client_id', 'azure_client_secret']);
      return azureProvider({
        authType,
        host,
        clientId: config.azure_client_id as string,
        clientSecret: config.azure_client_secret as string,
        ...optional('tenantId', config.azure_tenant_id),
        ...optional('environment', config.azure_environment),
        ...optional('workspaceResourceId', config.azure_workspace_resource_id),
        ...optional('credentialFactory', deps.azureCredentialFactory),
        now,
      });
    case 'azure-cli':
      return azureProvider({
        authType,
        host,
        ...optional('tenantId', config.azure_tenant_id),
        ...optional('workspaceResourceId', config.azure_workspace_resource_id),
        ...optional('credentialFactory', deps.azureCredentialFactory),
        now,
      });
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>);
}

/**
 * Resolves host and credentials. Throws a UserError for a missing host, an unknown or missing profile, an
 * ambiguous or incomplete auth configuration, and a non-https host that is not loopback.
 */
export function resolveAuth(input: ResolveAuthInput, deps: AuthDeps = {}): ResolvedAuth {
  const config: DatabricksConfig = {};
  fill(config, 'host', input.host);
  fill(config, 'auth_type', input.authType);
  const explicitProfile = nonEmpty(input.profile) ? input.profile.trim() : nonEmpty(input.env.DATABRICKS_CONFIG_PROFILE) ? input.env.DATABRICKS_CONFIG_PROFILE.trim() : undefined;
  for (const attribute of ATTRIBUTES) fill(config, attribute.name, input.env[attribute.env]);

  // The SDKs read the file only when a profile is named or nothing came from arguments and environment.
  const anythingSet = nonEmpty(config.host) || authGroupsUsed(config).length > 0;
  const profile = explicitProfile !== undefined || !anythingSet ? fromFile(config, input.configFile, explicitProfile) : undefined;

  if (!nonEmpty(config.host)) {
    throw new UserError('No Databricks host configured', 'Set DATABRICKS_HOST, the target\'s workspace.host, or a profile with `host`.');
  }
  const host = secureHost(config.host);
  const authType = chooseAuthType(config, host);
  const provider = buildProvider(authType, config, host, deps);

  const description: AuthDescription = { auth_type: authType, host };
  if (profile !== undefined) {
    description.profile = profile;
    if (input.configFile !== undefined) description.config_file = input.configFile.path;
  }
  return { description, provider };
}
