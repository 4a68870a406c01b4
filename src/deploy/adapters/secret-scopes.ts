// Secret scopes: create (Databricks- or Azure Key Vault-backed), list, delete. Nothing about a scope can be
// changed in place, so every difference is a replace (the field table marks them). Scope names are unique and a
// scope has no tags, so one that exists without a record is someone else's until `dbx-ts bind` says otherwise.
import type { RequestBody, SecretScope } from '../../workspace/index.ts';
import { createOnce } from './create-once.ts';
import { FIELD_RULES } from '../fields.ts';
import type { DesiredResource } from '../types.ts';
import { deleteIgnoringMissing } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

const LIST_KEY = 'secrets/scopes/list';

function toRemote(scope: SecretScope): RemoteObject {
  const settings: Record<string, unknown> = { scope: scope.name };
  if (scope.backend_type) settings['scope_backend_type'] = scope.backend_type;
  if (scope.keyvault_metadata) settings['backend_azure_keyvault'] = { ...scope.keyvault_metadata };
  return { id: String(scope.name), settings };
}

async function readScope(ctx: AdapterContext, name: string): Promise<RemoteObject | undefined> {
  const scopes = await ctx.memo.once(LIST_KEY, () => ctx.client.secrets.listScopes());
  const found = scopes.find((s) => s.name === name);
  return found ? toRemote(found) : undefined;
}

/** Looks again with a fresh list: used after a create whose response was lost. */
async function lookAgain(ctx: AdapterContext, desired: DesiredResource): Promise<{ id: string } | undefined> {
  ctx.memo.forget(LIST_KEY);
  const found = await readScope(ctx, String(desired.settings['scope']));
  return found ? { id: found.id } : undefined;
}

export const secretScopesAdapter: ResourceAdapter = {
  kind: 'secret_scopes',
  rules: FIELD_RULES.secret_scopes,
  noun: 'secret scope',

  read: readScope,

  // A scope carries nothing but its name: without a recorded id, an existing scope is not taken as ours.
  async find() {
    return undefined;
  },

  occupant(ctx, desired) {
    return readScope(ctx, String(desired.settings['scope']));
  },

  idBeforeCreate: (desired) => String(desired.settings['scope']),

  async create(ctx, desired) {
    const name = String(desired.settings['scope']);
    return createOnce(
      async () => {
        await ctx.creator.secrets.createScope(desired.settings as RequestBody<'secrets/scopes/create'>);
        return { id: name };
      },
      () => lookAgain(ctx, desired),
      ctx.createOptions,
    );
  },

  update() {
    // The field table marks every scope field recreate-only, so plan never asks for an update.
    throw new Error('secret scopes cannot be updated in place');
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.secrets.deleteScope({ scope: id }));
  },

  diff(recorded, desired, remote) {
    const changes = standardDiff(this.rules, recorded, desired, remote);
    // The API defaults the backend to DATABRICKS when none is given.
    return changes.filter((c) => !(c.path === 'scope_backend_type' && c.after === undefined && c.before === 'DATABRICKS'));
  },
};
