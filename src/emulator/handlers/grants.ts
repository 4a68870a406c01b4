// Unity Catalog grants (`/api/2.1/unity-catalog/permissions/{securable_type}/{full_name}`): privileges per
// principal on catalogs, schemas and volumes. PATCH adds and removes privileges; ALL_PRIVILEGES in `remove`
// takes every privilege of that principal away, as in Databricks.
import { HttpApiError, invalidParameter } from '../http/api-error.ts';
import { isJsonObject } from '../http/json.ts';
import type { Route } from '../http/router.ts';
import { type WorkspaceState, unityCatalogOf } from '../state.ts';
import { type HandlerContext, type Reply, ok, optArray } from './context.ts';

const VOLUME_PRIVILEGES = new Set(['ALL_PRIVILEGES', 'APPLY_TAG', 'MANAGE', 'READ_VOLUME', 'WRITE_VOLUME']);

/** The key of a securable in the grants table, after checking that it exists. */
function securableKey(state: WorkspaceState, rawType: string, rawName: string): { key: string; type: string } {
  const type = rawType.toLowerCase();
  const name = rawName.toLowerCase();
  const uc = unityCatalogOf(state);
  const found = type === 'catalog' ? uc.catalogs[name] : type === 'schema' ? uc.schemas[name] : type === 'volume' ? uc.volumes[name] : undefined;
  if (type !== 'catalog' && type !== 'schema' && type !== 'volume') throw invalidParameter(`Securable type ${rawType} is not supported by this emulator.`);
  if (!found) throw new HttpApiError(404, `${type.toUpperCase()}_DOES_NOT_EXIST`, `${type[0]!.toUpperCase()}${type.slice(1)} '${name}' does not exist.`);
  return { key: `${type}/${name}`, type };
}

function assignments(grants: Record<string, string[]> | undefined): Reply {
  const list = Object.entries(grants ?? {})
    .filter(([, privileges]) => privileges.length > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([principal, privileges]) => ({ principal, privileges: [...privileges].sort() }));
  return ok(list.length > 0 ? { privilege_assignments: list } : {});
}

function update(ctx: HandlerContext): Reply {
  const { key, type } = securableKey(ctx.state, ctx.params['securable_type']!, ctx.params['full_name']!);
  const current = structuredClone(unityCatalogOf(ctx.state).grants[key] ?? {});
  for (const change of optArray(ctx.body, 'changes')) {
    if (!isJsonObject(change) || typeof change['principal'] !== 'string' || change['principal'] === '') throw invalidParameter('Each change needs a principal.');
    const principal = change['principal'];
    const add = optArray(change, 'add').map(String);
    const remove = optArray(change, 'remove').map(String);
    if (add.some((p) => remove.includes(p))) throw invalidParameter(`Duplicate privileges to add and delete for principal ${principal}.`);
    if (type === 'volume') {
      const bad = add.find((p) => !VOLUME_PRIVILEGES.has(p));
      if (bad) throw invalidParameter(`Privilege ${bad} is not applicable to this entity (a volume).`);
    }
    let privileges = new Set(current[principal] ?? []);
    if (remove.includes('ALL_PRIVILEGES')) privileges = new Set();
    for (const p of remove) privileges.delete(p);
    for (const p of add) privileges.add(p);
    current[principal] = [...privileges].sort();
  }
  unityCatalogOf(ctx.state).grants[key] = Object.fromEntries(Object.entries(current).filter(([, p]) => p.length > 0));
  return assignments(unityCatalogOf(ctx.state).grants[key]);
}

const PATTERN = '/api/2.1/unity-catalog/permissions/{securable_type}/{full_name}';

export const grantsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: PATTERN,
    body: 'none',
    handle: (ctx) => assignments(unityCatalogOf(ctx.state).grants[securableKey(ctx.state, ctx.params['securable_type']!, ctx.params['full_name']!).key]),
  },
  { method: 'PATCH', pattern: PATTERN, body: 'json', handle: update },
];
