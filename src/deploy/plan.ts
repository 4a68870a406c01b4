// plan: desired resources + recorded state + what the workspace has → one action per resource, with the
// field-by-field changes behind it. Pure: every remote read happened before (see remote.ts).
import { ADAPTERS } from './adapters/index.ts';
import type { RemoteObject } from './adapters/types.ts';
import { topologicalOrder } from './graph.ts';
import { settingsHash } from './hash.ts';
import { resolveResourceIds } from './interpolate.ts';
import { parseAddress, RESOURCE_KINDS, type Address, type DeployPlan, type DeployState, type DesiredResource, type FieldChange, type PlannedAction } from './types.ts';

/** What reading the workspace found for one resource. */
export interface RemoteLookup {
  object?: RemoteObject;
  /** Found by its identity (tags, or a path in the bundle's folder), not through a recorded id. */
  adopted?: boolean;
  /** Not ours, but holding the name the resource needs (creating it would fail). */
  occupant?: RemoteObject;
}

export interface PlanInput {
  bundle: string;
  target: string;
  root_path: string;
  desired: DesiredResource[];
  state: DeployState;
  remote: Map<Address, RemoteLookup>;
}

/** The command that makes an existing object this resource's, as the plan and errors spell it. */
export function bindCommand(key: string, id: string, target: string): string {
  const quote = (s: string) => (/^[\w.@/:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return `dbx-ts bind ${quote(key)} ${quote(id)} -t ${quote(target)}`;
}

/** Which part of a resource its payload is, for the change line when only the payload changed. */
const PAYLOAD_FIELD: Record<string, string> = { files: 'content', dashboards: 'serialized_dashboard' };

export function planDeploy(input: PlanInput): DeployPlan {
  const actions: PlannedAction[] = [];
  // Ids that survive this deploy, so references to them resolve already at plan time.
  const stableIds = new Map<Address, string>();
  const idOf = (kind: string, key: string) => stableIds.get(`${kind}.${key}`);

  for (const wanted of topologicalOrder(input.desired)) {
    const desired = { ...wanted, settings: resolveResourceIds(wanted.settings, idOf) };
    const action = planOne(desired, input.state.resources[desired.address], input.remote.get(desired.address) ?? {}, input.target);
    if ((action.action === 'noop' || action.action === 'update') && action.id !== undefined) stableIds.set(desired.address, action.id);
    actions.push(action);
  }

  const wantedAddresses = new Set(input.desired.map((d) => d.address));
  const removed = Object.entries(input.state.resources)
    .filter(([address]) => !wantedAddresses.has(address))
    .map(([address, entry]): PlannedAction => ({ address, ...parseAddress(address), action: 'delete', id: entry.id, reason: 'removed from the bundle', changes: [] }));
  const rank = (a: PlannedAction) => RESOURCE_KINDS.indexOf(a.kind);
  // Dependents first: jobs go before the pipelines and files they ran.
  removed.sort((a, b) => rank(b) - rank(a) || a.address.localeCompare(b.address));

  return { bundle: input.bundle, target: input.target, root_path: input.root_path, actions: [...actions, ...removed] };
}

function planOne(desired: DesiredResource, recorded: DeployState['resources'][string] | undefined, remote: RemoteLookup, target: string): PlannedAction {
  const base = { address: desired.address, kind: desired.kind, key: desired.key };
  const found = remote.object;
  const adapter = ADAPTERS[desired.kind];
  if (!found) {
    if (remote.occupant) {
      const id = remote.occupant.id;
      return {
        ...base,
        action: 'create',
        changes: [],
        reason: `blocked: a ${adapter.noun} with this name exists (${id}) and is not this bundle's on target ${target}`,
        conflict: { id, fix: bindCommand(desired.key, id, target) },
      };
    }
    const reason = recorded ? 'deleted outside dbx-ts; creating it again' : undefined;
    return { ...base, action: 'create', changes: [], ...(reason ? { reason } : {}) };
  }
  const hash = settingsHash(desired.settings, desired.payload);
  const entry = remote.adopted ? undefined : recorded;
  // Bound or left by a stopped create: recorded by id only, with nothing known of what was applied. Like an
  // adopted object, what the workspace has decides; a payload (file content, dashboard) is sent to be sure.
  const takenOver = remote.adopted === true || entry?.bound === true || entry?.pending === true;
  const changes = adapter.diff(takenOver ? undefined : entry, desired, found);

  if (!takenOver && entry && entry.hash !== hash && !changes.some((c) => c.source === 'local')) {
    // Only the payload changed (or settings were not recorded): say which part.
    changes.push({ path: PAYLOAD_FIELD[desired.kind] ?? 'settings', source: 'local' });
  }
  if (takenOver && desired.payload !== undefined) {
    changes.push({ path: PAYLOAD_FIELD[desired.kind] ?? 'settings', source: 'local', after: '(not recorded)' });
  }
  const how = adapter.identity ? ` (recognised by ${adapter.identity})` : '';
  const marks = remote.adopted
    ? { adopted: true, reason: `not in the deploy state, but this bundle's on target ${target}${how}: adopting it` }
    : entry?.bound
      ? { bound: true, reason: "bound with dbx-ts bind: this deploy applies the bundle's settings to it" }
      : entry?.pending
        ? { adopted: true, reason: 'created by a deploy that stopped before recording it: taking it over' }
        : {};
  const action = changes.some((c) => c.recreate) ? 'replace' : changes.length > 0 ? 'update' : 'noop';
  return { ...base, action, id: found.id, changes: sortChanges(changes), ...marks };
}

function sortChanges(changes: FieldChange[]): FieldChange[] {
  return [...changes].sort((a, b) => a.path.localeCompare(b.path));
}

/** Counts per action, for summaries. */
export function planSummary(plan: DeployPlan): Record<PlannedAction['action'], number> {
  const counts = { create: 0, update: 0, replace: 0, delete: 0, noop: 0 };
  for (const a of plan.actions) counts[a.action] += 1;
  return counts;
}
