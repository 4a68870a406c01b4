// Reads what the workspace has for each resource, before planning: by recorded id, or (when the state has no
// record, or the recorded object is gone) by the adapter's find, which recognises only this bundle's and
// target's own objects (tags, or a path in the bundle's folder). An object that holds the name a resource needs
// but is not ours is reported as its occupant, so the plan can stop and name `dbx-ts bind`. A resource costs
// one read when its state is intact; a kind with several resources and a listing (jobs; schemas, one listing per
// catalog) costs one listing in all.
import { ADAPTERS } from './adapters/index.ts';
import type { AdapterContext, ListingScope, RemoteObject, ResourceAdapter } from './adapters/types.ts';
import type { RemoteLookup } from './plan.ts';
import { mapLimit } from './pool.ts';
import type { Address, DeployState, DesiredResource, ResourceKind } from './types.ts';

/** From this many resources of a kind on, one listing of the kind is cheaper than a call for each. */
export const LISTING_MIN_RESOURCES = 2;

/** The kinds worth listing in one go for these resources. */
function listedKinds(desired: readonly DesiredResource[]): Set<ResourceKind> {
  const counts = new Map<ResourceKind, number>();
  for (const d of desired) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  return new Set([...counts].filter(([kind, n]) => n >= LISTING_MIN_RESOURCES && ADAPTERS[kind].listAll && ADAPTERS[kind].findIn).map(([kind]) => kind));
}

/** A listed object, read again in full when the listing cut it short. */
async function complete(ctx: AdapterContext, adapter: ResourceAdapter, object: RemoteObject | undefined): Promise<RemoteObject | undefined> {
  return object?.partial ? adapter.read(ctx, object.id) : object;
}

/**
 * The resources in the order to read them: the first of each kind (and of each folder, for files) before the
 * rest, so the listings they share start together instead of one after another.
 */
function firstOfEachFirst(desired: readonly DesiredResource[]): DesiredResource[] {
  const seen = new Set<string>();
  const firsts: DesiredResource[] = [];
  const rest: DesiredResource[] = [];
  for (const d of desired) {
    const group = d.kind === 'files' ? `files:${String(d.settings['path']).replace(/\/[^/]*$/, '')}` : d.kind;
    (seen.has(group) ? rest : firsts).push(d);
    seen.add(group);
  }
  return [...firsts, ...rest];
}

export async function readRemote(ctx: AdapterContext, desired: DesiredResource[], state: DeployState, parallelism: number): Promise<Map<Address, RemoteLookup>> {
  const listed = listedKinds(desired);
  const ordered = firstOfEachFirst(desired);
  const scope = (kind: ResourceKind): ListingScope => {
    const ofKind = desired.filter((d) => d.kind === kind);
    return { desired: ofKind, recordedIds: ofKind.flatMap((d) => state.resources[d.address]?.id ?? []) };
  };
  const results = await mapLimit(ordered, parallelism, async (resource): Promise<RemoteLookup> => {
    const adapter = ADAPTERS[resource.kind];
    const recorded = state.resources[resource.address];
    const listing = listed.has(resource.kind) ? await adapter.listAll!(ctx, scope(resource.kind)) : undefined;
    if (recorded) {
      const object = listing ? await complete(ctx, adapter, listing.find((o) => o.id === recorded.id)) : await adapter.read(ctx, recorded.id);
      if (object) return { object };
      // Files are found by their path, which is what read just looked at.
      if (resource.kind === 'files') return {};
    }
    // Not recorded, or recorded but gone (a crash between a replace's delete and its record): look for ours.
    const found = listing ? await complete(ctx, adapter, adapter.findIn!(listing, resource)) : await adapter.find(ctx, resource);
    if (found) return { object: found, adopted: true };
    const occupant = listing && adapter.occupantIn ? adapter.occupantIn(listing, resource) : await adapter.occupant?.(ctx, resource);
    return occupant ? { occupant } : {};
  });
  return new Map(ordered.map((r, i) => [r.address, results[i]!]));
}
