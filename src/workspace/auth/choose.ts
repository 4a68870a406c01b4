// Which auth method applies: the one auth_type names, else the first in the Go SDK's default order whose
// attributes are present (pat, basic, oauth-m2m, databricks-cli, github-oidc, env-oidc, file-oidc, azure-msi,
// azure-client-secret, azure-cli). The Databricks CLI's login is the one method that cannot be told from the
// configuration alone, so when nothing stronger is configured it is tried at the first request, and the next
// method that fits (if any) takes over when the CLI is missing or has no login for the host.
import { UserError } from '../../errors/index.ts';
import { ATTRIBUTE_BY_NAME, authGroupsUsed, isAzureHost, isSet, nonEmpty, type AttributeName, type DatabricksConfig } from './attributes.ts';
import { AUTH_TYPES, type AttributeSource, type AuthType } from './types.ts';

export interface Choice {
  /** One method, or databricks-cli followed by the method to fall back to. */
  candidates: AuthType[];
  reason: string;
}

/** The environment variable holding the env-oidc ID token. */
export function oidcTokenEnvName(config: DatabricksConfig): string {
  return nonEmpty(config.oidc_token_env) ? config.oidc_token_env : 'DATABRICKS_OIDC_TOKEN';
}

type Sources = Partial<Record<AttributeName, AttributeSource>>;

function from(sources: Sources, names: AttributeName[]): string {
  const where = names.map((n) => {
    const s = sources[n];
    return s === undefined ? n : s.kind === 'env' ? s.name : `${n} in ${s.name}`;
  });
  return [...new Set(where)].join(', ');
}

/** The method the configuration points at, after pat/basic/m2m and the databricks-cli probe, with why. */
function configuredFallback(config: DatabricksConfig, host: string, env: Record<string, string | undefined>, sources: Sources): Choice | undefined {
  const azure = isAzureHost(host) || isSet(config, 'azure_workspace_resource_id');
  const one = (type: AuthType, reason: string): Choice => ({ candidates: [type], reason });
  if (isSet(config, 'client_id') && isSet(config, 'actions_id_token_request_url') && isSet(config, 'actions_id_token_request_token')) {
    return one('github-oidc', `a client_id (${from(sources, ['client_id'])}) and a GitHub Actions ID token (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN) are available`);
  }
  const tokenEnv = oidcTokenEnvName(config);
  if (nonEmpty(env[tokenEnv])) return one('env-oidc', `an OIDC ID token is set in ${tokenEnv}`);
  if (isSet(config, 'oidc_token_filepath')) return one('file-oidc', `an OIDC ID token file is configured (${from(sources, ['oidc_token_filepath'])})`);
  if (azure && isSet(config, 'azure_use_msi')) return one('azure-msi', `azure_use_msi is true (${from(sources, ['azure_use_msi'])}) on an Azure workspace`);
  if (azure && isSet(config, 'azure_client_id') && isSet(config, 'azure_client_secret')) {
    return one('azure-client-secret', `an Entra ID service principal is configured (${from(sources, ['azure_client_id', 'azure_client_secret'])})`);
  }
  const groups = authGroupsUsed(config);
  if (azure && groups.every((g) => g === 'azure')) return one('azure-cli', 'the workspace is on Azure and no other credentials are configured: the Azure CLI login');
  return undefined;
}

export function chooseAuth(config: DatabricksConfig, host: string, env: Record<string, string | undefined>, sources: Sources): Choice {
  if (nonEmpty(config.auth_type)) {
    const wanted = config.auth_type as AuthType;
    if (!AUTH_TYPES.includes(wanted)) {
      throw new UserError(`Unsupported auth type "${config.auth_type}" (${from(sources, ['auth_type'])})`, `Supported: ${AUTH_TYPES.join(', ')}.`);
    }
    return { candidates: [wanted], reason: `auth_type is ${wanted} (${from(sources, ['auth_type'])})` };
  }
  const groups = authGroupsUsed(config);
  if (groups.length > 1) {
    throw new UserError(
      `More than one authorization method configured: ${groups.join(' and ')}`,
      `Unset the ones you do not want, or choose one with DATABRICKS_AUTH_TYPE (${AUTH_TYPES.join(', ')}).`,
    );
  }
  if (isSet(config, 'token')) return { candidates: ['pat'], reason: `a personal access token is set (${from(sources, ['token'])})` };
  if (isSet(config, 'username') && isSet(config, 'password')) {
    return { candidates: ['basic'], reason: `a username and password are set (${from(sources, ['username', 'password'])})` };
  }
  if (isSet(config, 'client_id') && isSet(config, 'client_secret')) {
    return { candidates: ['oauth-m2m'], reason: `an OAuth client id and secret are set (${from(sources, ['client_id', 'client_secret'])})` };
  }
  if (isSet(config, 'azure_client_id') && !isAzureHost(host) && !isSet(config, 'azure_workspace_resource_id')) {
    throw new UserError(
      `${ATTRIBUTE_BY_NAME.azure_client_id.env} is set but ${host} is not an Azure Databricks host`,
      'Set DATABRICKS_AUTH_TYPE=azure-client-secret to use it anyway, or use a Databricks credential.',
    );
  }
  const fallback = configuredFallback(config, host, env, sources);
  const cliFirst = 'no token or client secret is configured, so the Databricks CLI login (`databricks auth token`) is tried first, as the Go SDK does';
  return {
    candidates: ['databricks-cli', ...(fallback?.candidates ?? [])],
    reason: fallback === undefined ? cliFirst : `${cliFirst}; then ${fallback.candidates[0]}: ${fallback.reason}`,
  };
}
