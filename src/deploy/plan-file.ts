// Plans as files, for review: `dbx-ts plan -o json > plan.json` writes one, `dbx-ts deploy --plan plan.json`
// applies it. The document follows the Databricks CLI's direct-engine plan (plan_version, cli_version, lineage,
// serial, `plan` keyed by `resources.<kind>.<key>` with an action and per-field changes with reasons), plus a
// hash of what the bundle wants. A deploy given a plan plans again under the lock and applies only if the new
// plan is the saved one: same state (none then and now, or the same lineage and serial: no deploy happened
// since), same bundle (hash), same
// actions and field changes (nobody edited the workspace in a way the plan would show). Anything else is refused.
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors/index.ts';
import { canonicalJson, settingsHash, sha256 } from './hash.ts';
import { planSummary } from './plan.ts';
import type { StateIdentity } from './state.ts';
import type { DeployPlan, DesiredResource, FieldChange, PlannedAction } from './types.ts';

export const PLAN_VERSION = 1;

/**
 * What a plan was made against: the deploy state it read and the bundle it wanted. A target with no state yet
 * (its first deploy) is `state: 'none'` with serial 0, so a state that appears before the plan is applied is
 * noticed. `lineage` is the state's as stored; a state written before lineages existed has none.
 */
export interface PlanBasis {
  state?: 'none';
  lineage?: string;
  serial: number;
  /** sha256 over every desired resource's address and settings hash (payload included). */
  bundle_hash: string;
}

export interface FieldChangeDocument {
  action: 'update' | 'recreate';
  reason: string;
  old?: unknown;
  new?: unknown;
}

export interface ActionDocument {
  action: PlannedAction['action'];
  id?: string;
  reason?: string;
  adopted?: true;
  bound?: true;
  conflict?: { id: string; fix: string };
  changes?: Record<string, FieldChangeDocument>;
}

export interface PlanDocument extends PlanBasis {
  plan_version: number;
  cli_version: string;
  bundle: string;
  target: string;
  root_path: string;
  /** `--select` given to plan: the plan acts on these resources only. */
  select?: string[];
  summary: ReturnType<typeof planSummary>;
  plan: Record<string, ActionDocument>;
  external?: DeployPlan['external'];
}

export function planBasis(identity: StateIdentity, bundle_hash: string): PlanBasis {
  if (!identity.exists) return { state: 'none', serial: 0, bundle_hash };
  return { ...(identity.lineage === undefined ? {} : { lineage: identity.lineage }), serial: identity.serial, bundle_hash };
}

/** No state: said so, or (plans written before `state` existed) serial 0 without a lineage; a saved state's serial is 1 or more. */
function madeWithoutState(basis: PlanBasis): boolean {
  return basis.state === 'none' || (basis.serial === 0 && basis.lineage === undefined);
}

export function bundleHash(desired: readonly DesiredResource[]): string {
  const entries = [...desired].sort((a, b) => a.address.localeCompare(b.address)).map((d) => [d.address, settingsHash(d.settings, d.payload)]);
  return sha256(canonicalJson(entries));
}

function changeDocument(c: FieldChange): FieldChangeDocument {
  const where = c.source === 'remote' ? 'changed in the workspace since the last deploy' : 'changed in the bundle';
  return {
    action: c.recreate ? 'recreate' : 'update',
    reason: c.recreate ? `${where}; cannot be updated in place` : where,
    ...(c.before === undefined ? {} : { old: c.before }),
    ...(c.after === undefined ? {} : { new: c.after }),
  };
}

function actionDocument(a: PlannedAction): ActionDocument {
  return {
    action: a.action,
    ...(a.id === undefined ? {} : { id: a.id }),
    ...(a.reason === undefined ? {} : { reason: a.reason }),
    ...(a.adopted ? { adopted: true as const } : {}),
    ...(a.bound ? { bound: true as const } : {}),
    ...(a.conflict ? { conflict: a.conflict } : {}),
    ...(a.changes.length > 0 ? { changes: Object.fromEntries(a.changes.map((c) => [c.path, changeDocument(c)])) } : {}),
  };
}

export function planDocument(plan: DeployPlan, basis: PlanBasis, meta: { cliVersion: string; select?: readonly string[] }): PlanDocument {
  return {
    plan_version: PLAN_VERSION,
    cli_version: meta.cliVersion,
    bundle: plan.bundle,
    target: plan.target,
    root_path: plan.root_path,
    ...(basis.state === 'none' ? { state: 'none' as const } : {}),
    ...(basis.lineage === undefined ? {} : { lineage: basis.lineage }),
    serial: basis.serial,
    bundle_hash: basis.bundle_hash,
    ...(meta.select && meta.select.length > 0 ? { select: [...meta.select] } : {}),
    summary: planSummary(plan),
    plan: Object.fromEntries(plan.actions.map((a) => [`resources.${a.address}`, actionDocument(a)])),
    ...(plan.external ? { external: plan.external } : {}),
  };
}

/** Reads a plan file written by `dbx-ts plan -o json`; a file that is not one is a usage error naming it. */
export async function readPlanFile(path: string): Promise<PlanDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(`--plan ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new UserError(`--plan ${path}: not JSON (${(error as Error).message})`, 'Write a plan file with: dbx-ts plan -o json > plan.json');
  }
  const d = doc as Partial<PlanDocument> | null;
  if (!d || typeof d !== 'object' || typeof d.plan !== 'object' || d.plan === null || typeof d.serial !== 'number' || typeof d.bundle_hash !== 'string') {
    throw new UserError(`--plan ${path}: not a dbx-ts plan (expected plan_version, serial, bundle_hash and plan)`, 'Write a plan file with: dbx-ts plan -o json > plan.json');
  }
  if (d.plan_version !== PLAN_VERSION) {
    throw new UserError(`--plan ${path}: plan_version ${String(d.plan_version)} is not supported (this dbx-ts writes and reads ${PLAN_VERSION})`, 'Make the plan again with this version: dbx-ts plan -o json');
  }
  return d as PlanDocument;
}

/**
 * Why a fresh plan is not the saved one, one line per reason; empty when they are the same. The first lines say
 * what changed underneath (another deploy, the bundle), the rest which resources would now be treated otherwise.
 */
export function planDifferences(saved: PlanDocument, fresh: PlanDocument): string[] {
  const out: string[] = [];
  if (saved.bundle !== fresh.bundle || saved.target !== fresh.target) {
    out.push(`the plan is for bundle ${saved.bundle}, target ${saved.target}; this deploy is bundle ${fresh.bundle}, target ${fresh.target}`);
    return out;
  }
  const savedNone = madeWithoutState(saved);
  const freshNone = madeWithoutState(fresh);
  if (savedNone && !freshNone) {
    out.push(`a deploy state appeared since the plan was made (none then, serial ${fresh.serial} now): another deploy ran`);
  } else if (!savedNone && freshNone) {
    out.push(`the deploy state is gone since the plan was made (serial ${saved.serial} then, none now)`);
  } else if (saved.lineage !== undefined && fresh.lineage !== undefined && saved.lineage !== fresh.lineage) {
    // Lineages are compared only when both were stored: a state from before lineages existed has none.
    out.push(`the deploy state was replaced since the plan was made (lineage ${saved.lineage} then, ${fresh.lineage} now)`);
  } else if (saved.serial !== fresh.serial) {
    out.push(`the deploy state changed since the plan was made (serial ${saved.serial} then, ${fresh.serial} now): another deploy ran`);
  }
  if (saved.bundle_hash !== fresh.bundle_hash) out.push('the bundle changed since the plan was made (its resources or files differ)');
  const addresses = [...new Set([...Object.keys(saved.plan), ...Object.keys(fresh.plan)])].sort();
  for (const address of addresses) {
    const before = saved.plan[address];
    const now = fresh.plan[address];
    if (canonicalJson(before) === canonicalJson(now)) continue;
    if (!before) out.push(`${address}: not in the plan, would now ${now!.action}`);
    else if (!now) out.push(`${address}: planned to ${before.action}, no longer part of the deploy`);
    else if (before.action !== now.action) out.push(`${address}: planned to ${before.action}, would now ${now.action}`);
    else out.push(`${address}: planned to ${before.action}, but the fields it changes differ now (the workspace or the bundle changed)`);
  }
  return out;
}

/** The saved plan's document against a fresh one, as a refusal when they differ. */
export function refuseStalePlan(path: string, saved: PlanDocument, fresh: PlanDocument): void {
  const reasons = planDifferences(saved, fresh);
  if (reasons.length === 0) return;
  throw new UserError(
    `Deploy refused: ${path} is not what deploying now would do, so nothing was changed.\n${reasons.map((r) => `  ${r}`).join('\n')}`,
    'Make and review a new plan (dbx-ts plan -o json > plan.json), then deploy --plan it.',
  );
}

/** Keys given to --select (`bronze` or `schemas.bronze`), checked against the bundle's resources. */
export function parseSelection(text: string | readonly string[] | undefined, desired: readonly DesiredResource[]): Set<string> | undefined {
  if (text === undefined) return undefined;
  const items = (Array.isArray(text) ? text : [text]).flatMap((t: string) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  if (items.length === 0) throw new UserError('--select needs at least one resource key, e.g. --select unified-workflow,bronze');
  const chosen = new Set<string>();
  for (const item of items) {
    const found = desired.filter((d) => d.kind !== 'files' && (d.address === item || d.key === item || `resources.${d.address}` === item));
    if (found.length === 0) {
      const keys = desired.filter((d) => d.kind !== 'files').map((d) => d.address);
      throw new UserError(`--select ${item}: no resource of the bundle has this key`, `Resources: ${keys.join(', ') || '(none)'}.`);
    }
    if (found.length > 1) throw new UserError(`--select ${item}: several resources have this key (${found.map((d) => d.address).join(', ')})`, 'Name it with its kind, e.g. schemas.bronze.');
    chosen.add(found[0]!.address);
  }
  return chosen;
}

/**
 * The plan narrowed to the selected resources and the files they use (files follow what runs them). Nothing
 * else is created, changed or deleted. A selected resource that needs an unselected one created first is
 * refused: its reference could not be resolved.
 */
export function selectActions(plan: DeployPlan, desired: readonly DesiredResource[], selected: ReadonlySet<string>): DeployPlan {
  const byAddress = new Map(desired.map((d) => [d.address, d]));
  const keep = new Set(selected);
  for (const address of selected) for (const dep of byAddress.get(address)?.dependsOn ?? []) if (dep.startsWith('files.')) keep.add(dep);
  const actions = plan.actions.filter((a) => keep.has(a.address));
  const creating = new Set(plan.actions.filter((a) => a.action === 'create' || a.action === 'replace').map((a) => a.address));
  const missing = actions.flatMap((a) => (byAddress.get(a.address)?.dependsOn ?? []).filter((dep) => creating.has(dep) && !keep.has(dep)).map((dep) => `${a.address} needs ${dep}`));
  if (missing.length > 0) {
    throw new UserError(
      `--select leaves out resources the selected ones need created first:\n${missing.map((m) => `  ${m}`).join('\n')}`,
      'Select them too, or deploy without --select.',
    );
  }
  return { ...plan, actions };
}
