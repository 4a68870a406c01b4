// Permissions as the Databricks CLI deploys them: a resource's own `permissions` plus the bundle's (mapped to the
// levels each object type allows, skipped for a principal the resource already names), the deploying user made
// owner (jobs, pipelines) or manager (dashboards) so they keep control, and one level per principal, the highest.
// Each object's list becomes a resource of its own (`permissions.<kind>.<key>`), applied over the Permissions API
// after the object exists; its diff is field by field, one principal at a time.
import { UserError } from '../errors/index.ts';
import { addressOf, type CurrentUser, type DesiredResource } from './types.ts';

/** Kinds whose permissions dbx-ts deploys, with the Permissions API object type and the levels each allows. */
export const PERMISSION_KINDS = {
  jobs: { objectType: 'jobs', levels: ['CAN_VIEW', 'CAN_MANAGE_RUN', 'IS_OWNER', 'CAN_MANAGE'], owner: true, bundle: { CAN_MANAGE: 'CAN_MANAGE', CAN_VIEW: 'CAN_VIEW', CAN_RUN: 'CAN_MANAGE_RUN' } },
  pipelines: { objectType: 'pipelines', levels: ['CAN_VIEW', 'CAN_RUN', 'IS_OWNER', 'CAN_MANAGE'], owner: true, bundle: { CAN_MANAGE: 'CAN_MANAGE', CAN_VIEW: 'CAN_VIEW', CAN_RUN: 'CAN_RUN' } },
  dashboards: { objectType: 'dashboards', levels: ['CAN_READ', 'CAN_RUN', 'CAN_EDIT', 'CAN_MANAGE'], owner: false, bundle: { CAN_MANAGE: 'CAN_MANAGE', CAN_VIEW: 'CAN_READ' } },
  clusters: { objectType: 'clusters', levels: ['CAN_ATTACH_TO', 'CAN_RESTART', 'CAN_MANAGE'], owner: false, bundle: { CAN_MANAGE: 'CAN_MANAGE', CAN_VIEW: 'CAN_ATTACH_TO', CAN_RUN: 'CAN_RESTART' } },
  experiments: { objectType: 'experiments', levels: ['CAN_READ', 'CAN_EDIT', 'CAN_MANAGE'], owner: false, bundle: { CAN_MANAGE: 'CAN_MANAGE', CAN_VIEW: 'CAN_READ' } },
} as const satisfies Record<string, { objectType: string; levels: readonly string[]; owner: boolean; bundle: Record<string, string> }>;

export type PermissionKind = keyof typeof PERMISSION_KINDS;

/** Levels the bundle-level `permissions` section allows. */
const BUNDLE_LEVELS = ['CAN_MANAGE', 'CAN_VIEW', 'CAN_RUN'];

const PRINCIPALS = ['user_name', 'group_name', 'service_principal_name'] as const;

/** A permission as the bundle writes it. */
export interface PermissionSetting {
  level: string;
  user_name?: string;
  group_name?: string;
  service_principal_name?: string;
}

/** An entry of a permissions resource: `<user_name|group_name|service_principal_name>:<name>` and its level. */
export interface AclEntry {
  principal: string;
  permission_level: string;
}

/** Service principals are named by their application id (a UUID), users by their e-mail. */
export function isServicePrincipalName(name: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name);
}

function principalOf(p: PermissionSetting, where: string): string {
  const named = PRINCIPALS.filter((k) => typeof p[k] === 'string' && p[k] !== '');
  if (named.length !== 1) throw new UserError(`${where}: each permission names exactly one of user_name, group_name or service_principal_name.`);
  return `${named[0]}:${p[named[0]!]!}`;
}

/** The CLI's order of levels, to keep the highest one a principal is given. */
const ORDER = ['CAN_VIEW', 'CAN_READ', 'CAN_ATTACH_TO', 'CAN_RUN', 'CAN_RESTART', 'CAN_EDIT', 'CAN_MANAGE_RUN', 'CAN_MANAGE', 'IS_OWNER'];

function higher(a: string | undefined, b: string): string {
  return a !== undefined && ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

/** The entries one object gets, or undefined when the bundle sets no permissions for it. */
export function objectAcl(kind: PermissionKind, key: string, own: readonly PermissionSetting[], bundle: readonly PermissionSetting[], user: CurrentUser): AclEntry[] | undefined {
  const spec = PERMISSION_KINDS[kind];
  const where = `resources.${kind}.${key}.permissions`;
  const entries: AclEntry[] = [];
  for (const p of own) {
    if (!(spec.levels as readonly string[]).includes(p.level)) {
      throw new UserError(`${where}: ${p.level} is not a level a ${kind.slice(0, -1)} allows.`, `Allowed: ${spec.levels.join(', ')}.`);
    }
    entries.push({ principal: principalOf(p, where), permission_level: p.level });
  }
  const named = new Set(entries.map((e) => e.principal));
  for (const p of bundle) {
    if (!BUNDLE_LEVELS.includes(p.level)) throw new UserError(`permissions: ${p.level} is not a bundle-level permission.`, `Allowed: ${BUNDLE_LEVELS.join(', ')}.`);
    const level = (spec.bundle as Record<string, string>)[p.level];
    const principal = principalOf(p, 'permissions');
    // Not applicable to this kind, or the resource says itself what this principal gets.
    if (level === undefined || named.has(principal)) continue;
    entries.push({ principal, permission_level: level });
  }
  if (entries.length === 0) return undefined;
  // The deploying user keeps control: owner where the kind has one (unless someone else is), else manager.
  const me = `${isServicePrincipalName(user.userName) ? 'service_principal_name' : 'user_name'}:${user.userName}`;
  const hasOwner = entries.some((e) => e.permission_level === 'IS_OWNER');
  const mine = entries.find((e) => e.principal === me);
  if (spec.owner && !hasOwner) {
    if (mine && mine.permission_level === 'CAN_MANAGE') mine.permission_level = 'IS_OWNER';
    else entries.push({ principal: me, permission_level: 'IS_OWNER' });
  } else if (!entries.some((e) => e.principal === me && (e.permission_level === 'CAN_MANAGE' || e.permission_level === 'IS_OWNER'))) {
    entries.push({ principal: me, permission_level: 'CAN_MANAGE' });
  }
  // One level per principal, the highest, in a stable order.
  const levels = new Map<string, string>();
  for (const e of entries) levels.set(e.principal, higher(levels.get(e.principal), e.permission_level));
  return [...levels].map(([principal, permission_level]) => ({ principal, permission_level })).sort((a, b) => a.principal.localeCompare(b.principal));
}

/** The permissions resource of one object: it depends on the object through its id. */
export function permissionsResource(kind: PermissionKind, key: string, acl: AclEntry[]): DesiredResource {
  return {
    address: addressOf('permissions', `${kind}.${key}`),
    kind: 'permissions',
    key: `${kind}.${key}`,
    settings: { object_type: PERMISSION_KINDS[kind].objectType, object_id: `\${resources.${kind}.${key}.id}`, access_control_list: acl },
    dependsOn: [],
  };
}

/** `user_name:jane@x` → `{ user_name: 'jane@x' }`, as the Permissions API takes it. */
export function principalField(principal: string): Record<string, string> {
  const colon = principal.indexOf(':');
  return { [principal.slice(0, colon)]: principal.slice(colon + 1) };
}
