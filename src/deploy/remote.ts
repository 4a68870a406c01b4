// Reads what the workspace has for each resource, before planning: by recorded id, or (when the state has no
// record, or the recorded object is gone) by the adapter's find, which recognises only this bundle's and
// target's own objects (tags, or a path in the bundle's folder). An object that holds the name a resource needs
// but is not ours is reported as its occupant, so the plan can stop and name `dbx-ts bind`. A resource costs
// one read when its state is intact.
import { ADAPTERS } from './adapters/index.ts';
import type { AdapterContext } from './adapters/types.ts';
import type { RemoteLookup } from './plan.ts';
import { mapLimit } from './pool.ts';
import type { Address, DeployState, DesiredResource } from './types.ts';

export async function readRemote(ctx: AdapterContext, desired: DesiredResource[], state: DeployState, parallelism: number): Promise<Map<Address, RemoteLookup>> {
  const results = await mapLimit(desired, parallelism, async (resource): Promise<RemoteLookup> => {
    const adapter = ADAPTERS[resource.kind];
    const recorded = state.resources[resource.address];
    if (recorded) {
      const object = await adapter.read(ctx, recorded.id);
      if (object) return { object };
      // Files are found by their path, which is what read just looked at.
      if (resource.kind === 'files') return {};
    }
    // Not recorded, or recorded but gone (a crash between a replace's delete and its record): look for ours.
    const found = await adapter.find(ctx, resource);
    if (found) return { object: found, adopted: true };
    const occupant = await adapter.occupant?.(ctx, resource);
    return occupant ? { occupant } : {};
  });
  return new Map(desired.map((r, i) => [r.address, results[i]!]));
}
