// `dbx-ts summary`: every resource of the bundle on a target with its key, id, URL and state, read from the
// deploy state (what the last deploy recorded) without calling any resource API. State: `deployed` (recorded),
// `not deployed` (in the bundle, not recorded yet), `removed from the bundle` (recorded, not in the bundle any
// more: the next deploy deletes it).
import { RESOURCE_KINDS, addressOf, parseAddress, type ResourceKind } from '../deploy/types.ts';
import type { BundleModel } from '../model/types.ts';
import { resourceUrl } from './resource-urls.ts';

export type ResourceState = 'deployed' | 'not deployed' | 'removed from the bundle';

export interface ResourceSummary {
  kind: ResourceKind;
  key: string;
  name?: string;
  id?: string;
  url?: string;
  state: ResourceState;
}

export interface BundleSummary {
  bundle: string;
  target: string;
  host?: string;
  root_path?: string;
  resources: ResourceSummary[];
}

/** The resource kinds a summary lists: every kind but the bundle's files. */
export const SUMMARY_KINDS = RESOURCE_KINDS.filter((k) => k !== 'files');

function nameOf(settings: Record<string, unknown> | undefined): string | undefined {
  const name = settings?.['name'] ?? settings?.['display_name'];
  return typeof name === 'string' ? name : undefined;
}

/** The bundle's resources on the target, in deploy order, then what the state holds that the bundle dropped. */
export function summarize(model: BundleModel, recorded: Readonly<Record<string, { id: string }>>, where: { host?: string; root_path?: string }): BundleSummary {
  const resources: ResourceSummary[] = [];
  const seen = new Set<string>();
  for (const kind of SUMMARY_KINDS) {
    const declared = (model.resources as Record<string, Record<string, { settings?: Record<string, unknown> }> | undefined>)[kind] ?? {};
    for (const [key, resource] of Object.entries(declared)) {
      const address = addressOf(kind, key);
      seen.add(address);
      const id = recorded[address]?.id;
      const url = id !== undefined && where.host ? resourceUrl(where.host, kind, id) : undefined;
      const name = nameOf(resource.settings);
      resources.push({ kind, key, ...(name ? { name } : {}), ...(id !== undefined ? { id } : {}), ...(url ? { url } : {}), state: id !== undefined ? 'deployed' : 'not deployed' });
    }
  }
  for (const [address, entry] of Object.entries(recorded)) {
    if (seen.has(address) || address.startsWith('files.')) continue;
    const { kind, key } = parseAddress(address);
    const url = where.host ? resourceUrl(where.host, kind, entry.id) : undefined;
    resources.push({ kind, key, id: entry.id, ...(url ? { url } : {}), state: 'removed from the bundle' });
  }
  return { bundle: model.bundle.name, target: model.target.name, ...(where.host ? { host: where.host } : {}), ...(where.root_path ? { root_path: where.root_path } : {}), resources };
}

/** The one resource a key names (`unified-workflow`, or `jobs.unified-workflow` where a key is in several kinds). */
export function findResource(summary: BundleSummary, ref: string): ResourceSummary[] {
  return summary.resources.filter((r) => r.key === ref || `${r.kind}.${r.key}` === ref || `resources.${r.kind}.${r.key}` === ref);
}
