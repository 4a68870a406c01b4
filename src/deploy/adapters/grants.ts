// Grants of a catalog, schema or volume (the Unity Catalog grants API). The id is `<securable_type>/<full name>`;
// the securable itself is another resource, created first. Removing the list from the bundle leaves the grants
// as they are, as the Databricks CLI does: the securable's owner decides then.
import type { Grant } from '../../constructs/grants.ts';
import { FIELD_RULES } from '../fields.ts';
import { grantChanges, normalizeGrants } from '../grants.ts';
import type { DesiredResource } from '../types.ts';
import { readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

function split(id: string): { type: string; fullName: string } {
  const slash = id.indexOf('/');
  return { type: id.slice(0, slash), fullName: id.slice(slash + 1) };
}

async function readGrants(ctx: AdapterContext, type: string, fullName: string): Promise<RemoteObject | undefined> {
  const got = await readOrUndefined(() => ctx.client.grants.get(type, fullName));
  if (!got) return undefined;
  const grants = normalizeGrants(
    got.filter((a) => a.principal).map((a) => ({ principal: a.principal!, privileges: (a.privileges ?? []) as Grant['privileges'] })),
    `${type} ${fullName}`,
  );
  return { id: `${type}/${fullName}`, settings: { securable_type: type, full_name: fullName, privilege_assignments: grants } };
}

async function applyGrants(ctx: AdapterContext, desired: DesiredResource): Promise<{ id: string }> {
  const type = String(desired.settings['securable_type']);
  const fullName = String(desired.settings['full_name']);
  const current = await readGrants(ctx, type, fullName);
  const changes = grantChanges(desired.settings['privilege_assignments'] as Grant[], (current?.settings['privilege_assignments'] as Grant[] | undefined) ?? []);
  if (changes.length > 0) await ctx.client.grants.update(type, fullName, changes as Parameters<typeof ctx.client.grants.update>[2]);
  return { id: `${type}/${fullName}` };
}

export const grantsAdapter: ResourceAdapter = {
  kind: 'grants',
  rules: FIELD_RULES.grants,
  noun: 'grants',
  identity: 'the securable they belong to',

  read(ctx, id) {
    const { type, fullName } = split(id);
    return readGrants(ctx, type, fullName);
  },

  // The list belongs to a securable of this bundle (created or found first), so it is found through it.
  async find(ctx, desired) {
    const fullName = String(desired.settings['full_name']);
    if (fullName.includes('${')) return undefined;
    return readGrants(ctx, String(desired.settings['securable_type']), fullName);
  },

  create: applyGrants,
  update: (ctx, _id, desired) => applyGrants(ctx, desired),

  async delete() {},

  diff: (recorded, desired, remote) => standardDiff(FIELD_RULES.grants, recorded, desired, remote),
};
