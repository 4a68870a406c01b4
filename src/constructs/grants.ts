// Unity Catalog grants as the bundle schema writes them (`grants` on catalogs, schemas and volumes): one entry
// per principal (a user's e-mail, a group or a service principal's application id) with its privileges.
import type { CatalogPrivilege } from '../schema/bundle-types.ts';

export interface Grant {
  principal: string;
  privileges: CatalogPrivilege[];
}

/** A copy of the grants for the model; absent when there are none, so the YAML stays without an empty list. */
export function grantsSetting(grants: readonly Grant[] | undefined): { grants?: Grant[] } {
  if (!grants || grants.length === 0) return {};
  return { grants: grants.map((g) => ({ principal: g.principal, privileges: [...g.privileges] })) };
}
