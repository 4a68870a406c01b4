// Unity Catalog grants as the Databricks CLI deploys them: each catalog, schema or volume's `grants` list is a
// resource of its own (`grants.<kind>.<key>`), applied over the grants API once the securable exists. The list is
// the securable's whole set of explicit grants: a principal the bundle no longer names loses its privileges.
import { UserError } from '../errors/index.ts';
import type { Grant } from '../constructs/grants.ts';
import { addressOf, type DesiredResource } from './types.ts';

/** Kinds whose grants dbx-ts deploys, with their Unity Catalog securable type. */
export const GRANT_KINDS = { catalogs: 'catalog', schemas: 'schema', volumes: 'volume' } as const;
export type GrantKind = keyof typeof GRANT_KINDS;

const ALL_PRIVILEGES = 'ALL_PRIVILEGES';

/**
 * One entry per principal, privileges sorted and merged; ALL_PRIVILEGES stands alone, as Unity Catalog reports
 * the privileges it implies beside it, so config and workspace compare equal.
 */
export function normalizeGrants(grants: readonly Grant[], where: string): Grant[] {
  const byPrincipal = new Map<string, Set<string>>();
  grants.forEach((g, i) => {
    if (typeof g.principal !== 'string' || g.principal === '') throw new UserError(`${where}[${i}].principal: a grant names a principal (a user's e-mail, a group or a service principal's application id).`);
    const privileges = byPrincipal.get(g.principal) ?? new Set<string>();
    for (const p of g.privileges ?? []) privileges.add(String(p));
    byPrincipal.set(g.principal, privileges);
  });
  return [...byPrincipal]
    .map(([principal, set]) => ({ principal, privileges: (set.has(ALL_PRIVILEGES) ? [ALL_PRIVILEGES] : [...set].sort()) as Grant['privileges'] }))
    .filter((g) => g.privileges.length > 0)
    .sort((a, b) => a.principal.localeCompare(b.principal));
}

/** The grants resource of one securable: it depends on the securable through its id (the full name). */
export function grantsResource(kind: GrantKind, key: string, grants: Grant[]): DesiredResource {
  return {
    address: addressOf('grants', `${kind}.${key}`),
    kind: 'grants',
    key: `${kind}.${key}`,
    settings: { securable_type: GRANT_KINDS[kind], full_name: `\${resources.${kind}.${key}.id}`, privilege_assignments: grants },
    dependsOn: [],
  };
}

/**
 * The PATCH changes that turn `current` into `desired`: each wanted principal gets its privileges and loses the
 * others; each principal no longer wanted loses everything (ALL_PRIVILEGES in `remove` takes all).
 */
export function grantChanges(desired: readonly Grant[], current: readonly Grant[]): { principal: string; add?: string[]; remove?: string[] }[] {
  const now = new Map(current.map((g) => [g.principal, new Set<string>(g.privileges)]));
  const changes: { principal: string; add?: string[]; remove?: string[] }[] = [];
  for (const g of desired) {
    const has = now.get(g.principal) ?? new Set<string>();
    const want = new Set<string>(g.privileges);
    const add = [...want].filter((p) => !has.has(p));
    const remove = want.has(ALL_PRIVILEGES) ? [] : [...has].filter((p) => !want.has(p));
    if (add.length > 0 || remove.length > 0) changes.push({ principal: g.principal, ...(add.length > 0 ? { add } : {}), ...(remove.length > 0 ? { remove } : {}) });
  }
  const wanted = new Set(desired.map((g) => g.principal));
  for (const g of current) if (!wanted.has(g.principal)) changes.push({ principal: g.principal, remove: [ALL_PRIVILEGES] });
  return changes;
}
