// What a deletion may touch. A deploy or destroy deletes only what its own state records; before it does, two
// checks keep it off what belongs to someone else: a job or pipeline whose tags name another bundle or target
// (a state copied between targets, or edited by hand), and an object that another target of this bundle also
// records in its state (e.g. a secret scope both targets use, bound in one of them). Such an object is left in
// place and dropped from this target's state; a replace of it is refused.
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import { ADAPTERS } from './adapters/index.ts';
import type { AdapterContext } from './adapters/types.ts';
import { readOrUndefined } from './adapters/errors.ts';
import { identityOf } from './identity.ts';
import type { VariableValue } from './interpolate.ts';
import { targetPaths } from './paths.ts';
import { mapLimit } from './pool.ts';
import { parseJournal } from './journal.ts';
import { JOURNAL_FILE, STATE_FILE } from './state.ts';
import type { CurrentUser, DeployPlan, PlannedAction, ResourceKind } from './types.ts';

export interface OwnershipContext {
  model: BundleModel;
  variables: Record<string, VariableValue>;
  user: CurrentUser;
  ctx: AdapterContext;
  parallelism: number;
}

/** `<kind>:<id>` → the other targets of this bundle whose deploy state records that object. */
export async function otherTargetRecords(o: OwnershipContext): Promise<Map<string, string[]>> {
  const host = o.ctx.client.host;
  const others = Object.values(o.model.targets).filter(
    (t) => t.name !== o.model.target.name && !t.local && (t.workspace.host === undefined || sameHost(t.workspace.host, host)),
  );
  const records = new Map<string, string[]>();
  await mapLimit(others, o.parallelism, async (target) => {
    let path: string;
    try {
      path = `${targetPaths(o.model, target, o.variables, o.user).state}/${STATE_FILE}`;
    } catch {
      return; // a root_path this deploy cannot resolve (a variable only that target sets): nothing to compare
    }
    // The state, and the journal of a deploy of that target that was interrupted (what it made is its own too).
    const read = (file: string) => readOrUndefined(() => o.ctx.client.workspace.export({ path: file, format: 'AUTO' })).then((e) => (e?.content ? Buffer.from(e.content, 'base64').toString('utf8') : undefined));
    const [stateText, journalText] = await Promise.all([read(path), read(path.replace(/[^/]*$/, JOURNAL_FILE))]);
    const entries: [string, { id?: unknown } | null][] = [];
    if (stateText !== undefined) {
      try {
        entries.push(...Object.entries((JSON.parse(stateText) as { resources?: Record<string, { id?: unknown }> }).resources ?? {}));
      } catch {
        // not a state: nothing to compare
      }
    }
    if (journalText !== undefined) entries.push(...(parseJournal(journalText)?.changes ?? []));
    const named = new Set<string>();
    for (const [address, entry] of entries) {
      const kind = address.slice(0, address.indexOf('.'));
      if (typeof entry?.id !== 'string' || named.has(`${kind}:${entry.id}`)) continue;
      const key = `${kind}:${entry.id}`;
      named.add(key);
      records.set(key, [...(records.get(key) ?? []), target.name]);
    }
  });
  return records;
}

function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => h.replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

/** Why this target must not delete the object, or undefined when it may. */
async function reasonToKeep(o: OwnershipContext, action: PlannedAction, records: Map<string, string[]>, ours: string): Promise<string | undefined> {
  const alsoRecorded = records.get(`${action.kind}:${action.id}`);
  if (alsoRecorded) return `target ${alsoRecorded.join(', ')} also records it`;
  if (action.kind === 'jobs' || action.kind === 'pipelines') {
    const object = await ADAPTERS[action.kind].read(o.ctx, action.id!);
    const theirs = identityOf(object?.settings);
    if (theirs !== undefined && theirs !== ours) return `its tags say it belongs to ${theirs}`;
  }
  return undefined;
}

const GUARDED: readonly ResourceKind[] = ['catalogs', 'schemas', 'volumes', 'secret_scopes', 'pipelines', 'dashboards', 'jobs'];

export interface Guarded {
  plan: DeployPlan;
  /** Deletions left out, with why: the objects stay, and this target's state forgets them. */
  kept: { action: PlannedAction; why: string }[];
}

/**
 * The plan without deletions of objects that are not this target's alone; a replacement of one is refused
 * (it would delete the object). `ours` is this bundle's and target's identity (`<bundle>.<target>`).
 */
export async function guardDeletions(o: OwnershipContext, plan: DeployPlan, ours: string, sink: EventSink): Promise<Guarded> {
  const risky = plan.actions.filter((a) => (a.action === 'delete' || a.action === 'replace') && a.id !== undefined && GUARDED.includes(a.kind));
  if (risky.length === 0) return { plan, kept: [] };
  const records = await otherTargetRecords(o);
  const reasons = await mapLimit(risky, o.parallelism, (a) => reasonToKeep(o, a, records, ours));
  const kept: Guarded['kept'] = [];
  risky.forEach((action, i) => {
    const why = reasons[i];
    if (why === undefined) return;
    if (action.action === 'replace') {
      throw new UserError(
        `${action.address} would be replaced (deleted and created again), but ${ADAPTERS[action.kind].noun} ${action.id} is not this target's alone: ${why}.`,
        `Change it from the target that owns it, or unbind it here (dbx-ts unbind ${action.key} -t ${plan.target}) and give this target its own.`,
      );
    }
    kept.push({ action, why });
    sink({ code: 'log', level: 'warn', message: `Not deleting ${action.address} (${action.id}): ${why}. It stays in the workspace; target ${plan.target} no longer records it.`, data: { resource: action.address, id: action.id } });
  });
  const keptSet = new Set(kept.map((k) => k.action));
  return { plan: { ...plan, actions: plan.actions.filter((a) => !keptSet.has(a)) }, kept };
}
