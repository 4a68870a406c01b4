// Entra ID (Azure AD) credentials for Azure Databricks: a service principal secret (ClientSecretCredential), the
// Azure CLI login (AzureCliCredential) or a managed identity (ManagedIdentityCredential), all through
// @azure/identity (api-notes §10; the Go SDK's azure-msi).
import { AzureAuthorityHosts, AzureCliCredential, ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import axios from 'axios';
import { UserError } from '../../errors/index.ts';
import { scrubSecrets } from '../redact.ts';
import { TokenCache } from './token-cache.ts';
import type { AuthType, CredentialsProvider } from './types.ts';

/** The Azure Databricks first-party application; the same id in every Azure cloud. */
export const AZURE_DATABRICKS_SCOPE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default';
const AZURE_MANAGEMENT_SCOPE = 'https://management.core.windows.net//.default';

const AUTHORITY_HOSTS: Record<string, string> = {
  PUBLIC: AzureAuthorityHosts.AzurePublicCloud,
  USGOVERNMENT: AzureAuthorityHosts.AzureGovernment,
  CHINA: AzureAuthorityHosts.AzureChina,
};

/** What a credential is built from; tests inject a factory that returns fakes. */
export type AzureCredentialRequest =
  | { kind: 'client-secret'; tenantId: string; clientId: string; clientSecret: string; authorityHost: string }
  | { kind: 'cli'; tenantId?: string }
  /** clientId picks a user-assigned identity; without it, the system-assigned one. */
  | { kind: 'msi'; clientId?: string };

export type AzureCredentialFactory = (request: AzureCredentialRequest) => TokenCredential;

export const defaultAzureCredentialFactory: AzureCredentialFactory = (request) => {
  switch (request.kind) {
    case 'client-secret':
      return new ClientSecretCredential(request.tenantId, request.clientId, request.clientSecret, { authorityHost: request.authorityHost });
    case 'cli':
      return new AzureCliCredential(request.tenantId === undefined ? {} : { tenantId: request.tenantId });
    case 'msi':
      return request.clientId === undefined ? new ManagedIdentityCredential() : new ManagedIdentityCredential({ clientId: request.clientId });
  }
};

export interface AzureProviderOptions {
  authType: Extract<AuthType, 'azure-client-secret' | 'azure-cli' | 'azure-msi'>;
  host: string;
  clientId?: string;
  clientSecret?: string;
  tenantId?: string;
  /** ARM_ENVIRONMENT: PUBLIC (default), USGOVERNMENT or CHINA. */
  environment?: string;
  /** /subscriptions/.../workspaces/<name>; when set, the SDKs also send a management token. */
  workspaceResourceId?: string;
  credentialFactory?: AzureCredentialFactory;
  now?: () => number;
}

/** The tenant of an Azure workspace: `{host}/aad/auth` redirects to `login.microsoftonline.com/<tenant>/...`. */
export async function discoverAzureTenant(host: string): Promise<string> {
  try {
    const response = await axios.get(`${host}/aad/auth`, { maxRedirects: 0, validateStatus: () => true, timeout: 30_000 });
    const location = String(response.headers['location'] ?? '');
    const tenant = location === '' ? undefined : new URL(location, host).pathname.split('/').filter(Boolean)[0];
    if (tenant !== undefined) return tenant;
  } catch {
    // Fall through to the hint below.
  }
  throw new UserError(`Could not discover the Azure tenant of ${host}`, 'Set ARM_TENANT_ID (azure_tenant_id in your profile).');
}

const HINTS: Record<AzureProviderOptions['authType'], string> = {
  'azure-cli': 'Run `az login` (and `az account set` for the right tenant), or use a service principal via ARM_CLIENT_ID/ARM_CLIENT_SECRET/ARM_TENANT_ID.',
  'azure-client-secret': 'Check ARM_CLIENT_ID, ARM_CLIENT_SECRET and ARM_TENANT_ID.',
  'azure-msi':
    'A managed identity is available only on Azure compute with an identity assigned (VM, App Service, Functions, AKS); ' +
    'for a user-assigned identity set ARM_CLIENT_ID to its client id.',
};

export function azureProvider(options: AzureProviderOptions): CredentialsProvider {
  const factory = options.credentialFactory ?? defaultAzureCredentialFactory;
  const secrets = options.clientSecret === undefined ? [] : [options.clientSecret];
  let credential: Promise<TokenCredential> | undefined;

  const buildCredential = async (): Promise<TokenCredential> => {
    if (options.authType === 'azure-cli') return factory({ kind: 'cli', ...(options.tenantId ? { tenantId: options.tenantId } : {}) });
    if (options.authType === 'azure-msi') return factory({ kind: 'msi', ...(options.clientId ? { clientId: options.clientId } : {}) });
    const tenantId = options.tenantId ?? (await discoverAzureTenant(options.host));
    const environment = (options.environment ?? 'PUBLIC').toUpperCase();
    const authorityHost = AUTHORITY_HOSTS[environment];
    if (authorityHost === undefined) throw new UserError(`Unknown ARM_ENVIRONMENT "${options.environment}"`, 'Use PUBLIC, USGOVERNMENT or CHINA.');
    return factory({ kind: 'client-secret', tenantId, clientId: options.clientId ?? '', clientSecret: options.clientSecret ?? '', authorityHost });
  };

  const tokenFor = (scope: string) => async () => {
    credential ??= buildCredential();
    try {
      const token = await (await credential).getToken(scope);
      if (token === null) throw new Error('no token returned');
      return { token: token.token, expiresAt: token.expiresOnTimestamp };
    } catch (error) {
      if (error instanceof UserError) throw error;
      // @azure/identity messages can quote the request; keep them but scrub the secret we hold.
      const detail = scrubSecrets(error instanceof Error ? error.message : String(error), secrets);
      throw new UserError(
        `Entra ID token request failed (${options.authType}): ${detail}`,
        HINTS[options.authType],
      );
    }
  };

  const now = options.now ?? Date.now;
  const databricksToken = new TokenCache(tokenFor(AZURE_DATABRICKS_SCOPE), now);
  const managementToken = new TokenCache(tokenFor(AZURE_MANAGEMENT_SCOPE), now);

  return {
    authType: options.authType,
    async headers() {
      const headers: Record<string, string> = { Authorization: `Bearer ${await databricksToken.get()}` };
      if (options.workspaceResourceId !== undefined) {
        // The pair lets a service principal with Azure RBAC on the workspace in before it is a workspace user.
        headers['X-Databricks-Azure-Workspace-Resource-Id'] = options.workspaceResourceId;
        headers['X-Databricks-Azure-SP-Management-Token'] = await managementToken.get();
      }
      return headers;
    },
    invalidate() {
      databricksToken.invalidate();
      managementToken.invalidate();
    },
    knownSecrets: () => [...secrets, ...[databricksToken.peek(), managementToken.peek()].filter((t): t is string => t !== undefined)],
  };
}
