// Secrets API 2.0: scopes (Databricks- or Azure Key Vault-backed), secrets and ACLs. A Key Vault
// scope can only be created with an Entra ID token (a PAT or Databricks OAuth token is refused, as in
// Databricks), and it is read-only through this API. Secret values are returned only by secrets/get
// (as Databricks does); errors name scopes and keys, never values.
import { HttpApiError, badRequest, doesNotExist, invalidParameter, permissionDenied } from '../http/api-error.ts';
import type { Principal } from '../http/auth.ts';
import type { Route } from '../http/router.ts';
import type { AclPermission, ScopeBackend, SecretScopeRecord, WorkspaceState } from '../state.ts';
import { type HandlerContext, callerOf, ok, optObject, optString, requireQuery, requireString } from './context.ts';

const MAX_SCOPES = 1000;
const MAX_SECRETS_PER_SCOPE = 1000;
const MAX_SECRET_BYTES = 128 * 1024;
const NAME = /^[\w.\-@]{1,128}$/;
const KEY = /^[\w.-]{1,128}$/;
const LEVEL: Record<AclPermission, number> = { READ: 1, WRITE: 2, MANAGE: 3 };

function requireScope(state: WorkspaceState, name: string): SecretScopeRecord {
  const scope = state.secretScopes[name];
  if (!scope) throw doesNotExist(`Scope ${name} does not exist!`);
  return scope;
}

/** Admins pass; others need the level through their own ACL or the `users` group's. */
function requirePermission(scope: SecretScopeRecord, who: Principal, needed: AclPermission): void {
  if (who.admin) return;
  const ownAcl = scope.acls[who.userName];
  const groupAcl = scope.acls['users'];
  const own = ownAcl ? LEVEL[ownAcl] : 0;
  const group = groupAcl ? LEVEL[groupAcl] : 0;
  if (Math.max(own, group) < LEVEL[needed]) {
    throw permissionDenied(`User ${who.userName} does not have ${needed} permission on scope ${scope.name}`);
  }
}

function requireWritable(scope: SecretScopeRecord): void {
  if (scope.backend_type === 'AZURE_KEYVAULT') {
    throw badRequest(`Scope ${scope.name} is backed by Azure Key Vault and is read-only; manage its secrets in the key vault.`);
  }
}

function parsePermission(value: string): AclPermission {
  if (value !== 'READ' && value !== 'WRITE' && value !== 'MANAGE') throw invalidParameter(`Invalid permission: ${value}`);
  return value;
}

function createScope(ctx: HandlerContext) {
  const { state, body } = ctx;
  const caller = callerOf(ctx);
  const name = requireString(body, 'scope');
  if (!NAME.test(name)) {
    throw invalidParameter('Scope name must consist of alphanumeric characters, dashes, underscores, @ and periods, and be at most 128 characters.');
  }
  const backend = (optString(body, 'scope_backend_type') ?? 'DATABRICKS') as ScopeBackend;
  if (backend !== 'DATABRICKS' && backend !== 'AZURE_KEYVAULT') throw invalidParameter(`Invalid scope_backend_type: ${String(backend)}`);
  const scope: SecretScopeRecord = { name, backend_type: backend, secrets: {}, acls: { [caller.userName]: 'MANAGE' } };
  if (backend === 'AZURE_KEYVAULT') {
    // Databricks needs the caller's own Entra ID token to reach the vault on their behalf.
    if (caller.kind !== 'aad') throw invalidParameter('Scope with Azure KeyVault must have userAADToken defined!');
    const vault = optObject(body, 'backend_azure_keyvault');
    if (!vault) throw invalidParameter('Scope with Azure KeyVault must have AzureKeyVaultSecretScopeMetadata defined!');
    scope.keyvault_metadata = { resource_id: requireString(vault, 'resource_id'), dns_name: requireString(vault, 'dns_name') };
  }
  // The Secrets API answers an existing scope with 400, not 409 (the SDKs go by the error code).
  if (state.secretScopes[name]) throw new HttpApiError(400, 'RESOURCE_ALREADY_EXISTS', `Scope ${name} already exists!`);
  if (Object.keys(state.secretScopes).length >= MAX_SCOPES) {
    throw new HttpApiError(400, 'RESOURCE_LIMIT_EXCEEDED', `A workspace can have at most ${MAX_SCOPES} secret scopes.`);
  }
  const initial = optString(body, 'initial_manage_principal');
  if (initial !== undefined) {
    if (initial !== 'users') throw invalidParameter('initial_manage_principal must be "users" if set.');
    scope.acls['users'] = 'MANAGE';
  }
  state.secretScopes[name] = scope;
  return ok();
}

function putSecret(ctx: HandlerContext) {
  const scope = requireScope(ctx.state, requireString(ctx.body, 'scope'));
  requirePermission(scope, callerOf(ctx), 'WRITE');
  requireWritable(scope);
  const key = requireString(ctx.body, 'key');
  if (!KEY.test(key)) throw invalidParameter('Secret key must consist of alphanumeric characters, dashes, underscores and periods, and be at most 128 characters.');
  const text = optString(ctx.body, 'string_value');
  const bytes = optString(ctx.body, 'bytes_value');
  if ((text === undefined) === (bytes === undefined)) throw invalidParameter('Exactly one of string_value or bytes_value must be set.');
  const value = text !== undefined ? Buffer.from(text, 'utf8') : Buffer.from(bytes ?? '', 'base64');
  if (value.length > MAX_SECRET_BYTES) throw invalidParameter(`Secret value is larger than ${MAX_SECRET_BYTES / 1024} KB.`);
  if (!scope.secrets[key] && Object.keys(scope.secrets).length >= MAX_SECRETS_PER_SCOPE) {
    throw new HttpApiError(400, 'RESOURCE_LIMIT_EXCEEDED', `A scope can hold at most ${MAX_SECRETS_PER_SCOPE} secrets.`);
  }
  scope.secrets[key] = { value: value.toString('base64'), last_updated_timestamp: ctx.now };
  return ok();
}

export const secretsRoutes: Route[] = [
  { method: 'POST', pattern: '/api/2.0/secrets/scopes/create', body: 'json', handle: createScope },
  {
    method: 'GET',
    pattern: '/api/2.0/secrets/scopes/list',
    body: 'none',
    handle: (ctx) => {
      const scopes = Object.values(ctx.state.secretScopes).map((s) => ({
        name: s.name,
        backend_type: s.backend_type,
        ...(s.keyvault_metadata ? { keyvault_metadata: s.keyvault_metadata } : {}),
      }));
      return ok(scopes.length > 0 ? { scopes } : {});
    },
  },
  {
    method: 'POST',
    pattern: '/api/2.0/secrets/scopes/delete',
    body: 'json',
    handle: (ctx) => {
      const scope = requireScope(ctx.state, requireString(ctx.body, 'scope'));
      requirePermission(scope, callerOf(ctx), 'MANAGE');
      delete ctx.state.secretScopes[scope.name];
      return ok();
    },
  },
  { method: 'POST', pattern: '/api/2.0/secrets/put', body: 'json', handle: putSecret },
  {
    method: 'POST',
    pattern: '/api/2.0/secrets/delete',
    body: 'json',
    handle: (ctx) => {
      const scope = requireScope(ctx.state, requireString(ctx.body, 'scope'));
      requirePermission(scope, callerOf(ctx), 'WRITE');
      requireWritable(scope);
      const key = requireString(ctx.body, 'key');
      if (!scope.secrets[key]) throw doesNotExist(`Secret ${key} does not exist in scope ${scope.name}!`);
      delete scope.secrets[key];
      return ok();
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.0/secrets/list',
    body: 'none',
    handle: (ctx) => {
      const scope = requireScope(ctx.state, requireQuery(ctx.query, 'scope'));
      requirePermission(scope, callerOf(ctx), 'READ');
      const secrets = Object.entries(scope.secrets)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, s]) => ({ key, last_updated_timestamp: s.last_updated_timestamp }));
      return ok(secrets.length > 0 ? { secrets } : {});
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.0/secrets/get',
    body: 'none',
    handle: (ctx) => {
      const scope = requireScope(ctx.state, requireQuery(ctx.query, 'scope'));
      requirePermission(scope, callerOf(ctx), 'READ');
      const key = requireQuery(ctx.query, 'key');
      const secret = scope.secrets[key];
      if (!secret) throw doesNotExist(`Secret ${key} does not exist in scope ${scope.name}!`);
      return ok({ key, value: secret.value });
    },
  },
  {
    method: 'POST',
    pattern: '/api/2.0/secrets/acls/put',
    body: 'json',
    handle: (ctx) => {
      const scope = requireScope(ctx.state, requireString(ctx.body, 'scope'));
      requirePermission(scope, callerOf(ctx), 'MANAGE');
      scope.acls[requireString(ctx.body, 'principal')] = parsePermission(requireString(ctx.body, 'permission'));
      return ok();
    },
  },
  {
    method: 'POST',
    pattern: '/api/2.0/secrets/acls/delete',
    body: 'json',
    handle: (ctx) => {
      const scope = requireScope(ctx.state, requireString(ctx.body, 'scope'));
      requirePermission(scope, callerOf(ctx), 'MANAGE');
      const principal = requireString(ctx.body, 'principal');
      if (!scope.acls[principal]) throw doesNotExist(`No ACL for principal ${principal} on scope ${scope.name}!`);
      delete scope.acls[principal];
      return ok();
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.0/secrets/acls/list',
    body: 'none',
    handle: (ctx) => {
      const scope = requireScope(ctx.state, requireQuery(ctx.query, 'scope'));
      requirePermission(scope, callerOf(ctx), 'MANAGE');
      const items = Object.entries(scope.acls).map(([principal, permission]) => ({ principal, permission }));
      return ok(items.length > 0 ? { items } : {});
    },
  },
  {
    method: 'GET',
    pattern: '/api/2.0/secrets/acls/get',
    body: 'none',
    handle: (ctx) => {
      const scope = requireScope(ctx.state, requireQuery(ctx.query, 'scope'));
      requirePermission(scope, callerOf(ctx), 'MANAGE');
      const principal = requireQuery(ctx.query, 'principal');
      const permission = scope.acls[principal];
      if (!permission) throw doesNotExist(`No ACL for principal ${principal} on scope ${scope.name}!`);
      return ok({ principal, permission });
    },
  },
];
