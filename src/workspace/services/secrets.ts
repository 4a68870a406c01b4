// Secrets API: scopes (Databricks- or Azure Key Vault-backed), secrets and ACLs. Secret values are marked
// sensitive so they never reach hooks, events or error text.
import type { SecretScopeModel } from '../../model/types.ts';
import { RemoteApiError, UserError } from '../../errors/index.ts';
import { callEndpoint, type RequestBody, type Response, type ServiceContext } from './endpoint.ts';

export type SecretScope = NonNullable<Response<'secrets/scopes/list'>['scopes']>[number];
export type SecretMetadata = NonNullable<Response<'secrets/list'>['secrets']>[number];
export type AclItem = NonNullable<Response<'secrets/acls/list'>['items']>[number];

export const ENTRA_HINT =
  'Key Vault-backed scopes can only be created with an Entra ID (Azure AD) token. Authenticate as a service ' +
  'principal with ARM_CLIENT_ID, ARM_CLIENT_SECRET and ARM_TENANT_ID (DATABRICKS_AUTH_TYPE=azure-client-secret), ' +
  'or run `az login` and set DATABRICKS_AUTH_TYPE=azure-cli. The identity also needs Contributor or Owner on the key vault.';

/** The scopes/create request for a bundle's secret scope definition. */
export function createScopeRequest(settings: SecretScopeModel['settings']): RequestBody<'secrets/scopes/create'> {
  const body: RequestBody<'secrets/scopes/create'> = { scope: settings.name };
  if (settings.backend_type !== undefined) body.scope_backend_type = settings.backend_type;
  if (settings.keyvault_metadata !== undefined) {
    body.backend_azure_keyvault = { resource_id: settings.keyvault_metadata.resource_id, dns_name: settings.keyvault_metadata.dns_name };
  }
  return body;
}

/** "Scope with Azure KeyVault must have userAADToken defined!" is how a PAT or Databricks OAuth token is refused. */
function isMissingAadTokenError(error: unknown): boolean {
  return error instanceof RemoteApiError && /userAADToken|AAD token|Azure AD token/i.test(error.message);
}

export class SecretsService {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * Creates a scope. Not idempotent: after a lost response check listScopes (a retry would fail with
   * RESOURCE_ALREADY_EXISTS). An AZURE_KEYVAULT scope refused for lack of an Entra ID token becomes a UserError
   * that says how to authenticate.
   */
  async createScope(body: RequestBody<'secrets/scopes/create'>): Promise<Response<'secrets/scopes/create'>> {
    try {
      return await callEndpoint(this.ctx.http, 'secrets/scopes/create', { body }, { idempotent: false });
    } catch (error) {
      if (body.scope_backend_type === 'AZURE_KEYVAULT' && isMissingAadTokenError(error)) {
        throw new UserError(`Cannot create Key Vault-backed secret scope "${body.scope}" with auth type ${this.ctx.authType}`, ENTRA_HINT);
      }
      throw error;
    }
  }

  async listScopes(): Promise<SecretScope[]> {
    return (await callEndpoint(this.ctx.http, 'secrets/scopes/list')).scopes ?? [];
  }

  deleteScope(body: RequestBody<'secrets/scopes/delete'>): Promise<Response<'secrets/scopes/delete'>> {
    return callEndpoint(this.ctx.http, 'secrets/scopes/delete', { body }, { idempotent: true });
  }

  /** Creates or overwrites a secret. Key Vault-backed scopes are read-only here: set the secret in the vault. */
  async putSecret(body: RequestBody<'secrets/put'>): Promise<Response<'secrets/put'>> {
    try {
      return await callEndpoint(this.ctx.http, 'secrets/put', { body }, { idempotent: true });
    } catch (error) {
      if (error instanceof RemoteApiError && error.details.error_code === 'BAD_REQUEST' && /key ?vault/i.test(error.message)) {
        throw new UserError(`Secret scope "${body.scope}" is backed by Azure Key Vault and is read-only through Databricks`, 'Set the secret in the key vault instead (az keyvault secret set).');
      }
      throw error;
    }
  }

  /** Keys and update times only; the API never returns values in a list. */
  async listSecrets(scope: string): Promise<SecretMetadata[]> {
    return (await callEndpoint(this.ctx.http, 'secrets/list', { query: { scope } })).secrets ?? [];
  }

  deleteSecret(body: RequestBody<'secrets/delete'>): Promise<Response<'secrets/delete'>> {
    return callEndpoint(this.ctx.http, 'secrets/delete', { body }, { idempotent: true });
  }

  /** Creates or overwrites the principal's permission on the scope. */
  putAcl(body: RequestBody<'secrets/acls/put'>): Promise<Response<'secrets/acls/put'>> {
    return callEndpoint(this.ctx.http, 'secrets/acls/put', { body }, { idempotent: true });
  }

  async listAcls(scope: string): Promise<AclItem[]> {
    return (await callEndpoint(this.ctx.http, 'secrets/acls/list', { query: { scope } })).items ?? [];
  }

  deleteAcl(body: RequestBody<'secrets/acls/delete'>): Promise<Response<'secrets/acls/delete'>> {
    return callEndpoint(this.ctx.http, 'secrets/acls/delete', { body }, { idempotent: true });
  }
}
