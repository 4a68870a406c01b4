// Permissions of a job, pipeline or dashboard (Permissions API): the object's direct entries are set as a whole
// (PUT), so the list in the bundle is what the object has; inherited entries (workspace admins) are not ours.
// The id is `<object_type>/<object id>`; the object itself is another resource, created first.
import { FIELD_RULES } from '../fields.ts';
import { principalField, type AclEntry } from '../permissions.ts';
import type { DesiredResource } from '../types.ts';
import { readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

const PRINCIPALS = ['user_name', 'group_name', 'service_principal_name'] as const;

function target(desired: DesiredResource): { type: string; id: string } {
  return { type: String(desired.settings['object_type']), id: String(desired.settings['object_id']) };
}

function split(id: string): { type: string; objectId: string } {
  const slash = id.indexOf('/');
  return { type: id.slice(0, slash), objectId: id.slice(slash + 1) };
}

async function readAcl(ctx: AdapterContext, type: string, objectId: string): Promise<RemoteObject | undefined> {
  const got = await readOrUndefined(() => ctx.client.permissions.get(type, objectId));
  if (!got) return undefined;
  const acl: AclEntry[] = [];
  for (const entry of got.access_control_list ?? []) {
    const kind = PRINCIPALS.find((k) => typeof entry[k] === 'string');
    if (!kind) continue;
    for (const p of entry.all_permissions ?? []) {
      if (!p.inherited && p.permission_level) acl.push({ principal: `${kind}:${String(entry[kind])}`, permission_level: p.permission_level });
    }
  }
  acl.sort((a, b) => a.principal.localeCompare(b.principal));
  return { id: `${type}/${objectId}`, settings: { object_type: type, object_id: objectId, access_control_list: acl } };
}

async function setAcl(ctx: AdapterContext, desired: DesiredResource): Promise<{ id: string }> {
  const { type, id } = target(desired);
  const acl = (desired.settings['access_control_list'] as AclEntry[]).map((e) => ({ ...principalField(e.principal), permission_level: e.permission_level }));
  await ctx.client.permissions.set(type, id, acl as Parameters<typeof ctx.client.permissions.set>[2]);
  return { id: `${type}/${id}` };
}

export const permissionsAdapter: ResourceAdapter = {
  kind: 'permissions',
  rules: FIELD_RULES.permissions,
  noun: 'permissions',
  identity: 'the object they belong to',

  read(ctx, id) {
    const { type, objectId } = split(id);
    return readAcl(ctx, type, objectId);
  },

  // The list belongs to an object of this bundle (created or found first), so it is found through that object.
  async find(ctx, desired) {
    const { type, id } = target(desired);
    if (id.includes('${')) return undefined;
    return readAcl(ctx, type, id);
  },

  create: setAcl,
  update: (ctx, _id, desired) => setAcl(ctx, desired),

  // No longer declared: the object keeps only its owner (jobs, pipelines) or nothing of ours (dashboards).
  async delete(ctx, id) {
    const { type, objectId } = split(id);
    const current = await readAcl(ctx, type, objectId);
    if (!current) return;
    const owners = (current.settings['access_control_list'] as AclEntry[]).filter((e) => e.permission_level === 'IS_OWNER');
    await ctx.client.permissions.set(type, objectId, owners.map((e) => ({ ...principalField(e.principal), permission_level: e.permission_level })) as Parameters<typeof ctx.client.permissions.set>[2]);
  },

  diff: (recorded, desired, remote) => standardDiff(FIELD_RULES.permissions, recorded, desired, remote),
};
