// deployBundle / planBundle / destroyBundle: the whole deploy, from a resolved model to an applied plan.
// who am I → variables and presets → synth → desired resources → lock → state → remote reads → plan →
// approval for destructive changes → apply → unlock. The engine emits events; it never prints or prompts
// by itself (the caller passes `confirm` when a terminal is there to ask).
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import { synthBundle, type SynthFile } from '../synth/index.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { ADAPTERS, Memo, type AdapterContext } from './adapters/index.ts';
import type { CreateOnceOptions } from './adapters/create-once.ts';
import { deleteIgnoringMissing } from './adapters/errors.ts';
import { applyPlan, type ApplyOutcome } from './apply.ts';
import { bundleSection, bundleTagValue, desiredResources, externalItems } from './desired.ts';
import { checkRunAs, personRunAsWarnings } from './run-as.ts';
import { formatPlan } from './format.ts';
import { resolveVariables, type VariableValue } from './interpolate.ts';
import { acquireLock, type DeployLock } from './lock.ts';
import { guardDeletions } from './ownership.ts';
import { preflight, type PreflightInput } from './preflight.ts';
import { mapLimit } from './pool.ts';
import { planDeploy, planSummary } from './plan.ts';
import { bundleHash, parseSelection, planBasis, selectActions, type PlanBasis } from './plan-file.ts';
import { targetPaths } from './paths.ts';
import { shortUserName } from './presets.ts';
import { readRemote } from './remote.ts';
import { StateStore, type StateSource } from './state.ts';
import type { BundlePaths, CurrentUser, DeployPlan, DesiredResource, PlannedAction } from './types.ts';

/** Resource calls in flight at once (the Databricks CLI's direct engine also keeps 10). */
export const DEFAULT_PARALLELISM = 10;
/** File uploads in flight at once: small requests, more of them than resource calls (the CLI's sync keeps 20). */
export const DEFAULT_UPLOAD_PARALLELISM = 40;

export interface DeployContext {
  /** The bundle resolved for the target (resolve()); variables are applied here. */
  model: BundleModel;
  /** Project root: synth reads notebooks-src/ and templates/ here; the state cache goes to .dbx-ts/state/. */
  repoRoot: string;
  client: WorkspaceClient;
  /**
   * The same workspace through a client created with no automatic retries (retry: { timeoutMs: 0 }), for the
   * calls that create resources: they look before they retry (see adapters/create-once.ts). Without it,
   * creates use `client`, and a 503 answered after the server applied a create can duplicate it.
   */
  creator?: WorkspaceClient;
  /** Pauses between create attempts (tests make them short). */
  createOptions?: CreateOnceOptions;
  sink?: EventSink;
  /** `--var name=value` flags. */
  vars?: Record<string, string>;
  /** Where BUNDLE_VAR_<name> is read. */
  env?: Record<string, string | undefined>;
  /** Resource calls in flight at once (default DEFAULT_PARALLELISM). */
  parallelism?: number;
  /** File uploads in flight at once (default DEFAULT_UPLOAD_PARALLELISM). */
  uploadParallelism?: number;
  /** How often, at most, the deploy journal is written to the workspace (state.ts). */
  journalFlushMs?: number;
  signal?: AbortSignal;
  /** Already synthesized files for this model (default: synthBundle). */
  files?: SynthFile[];
  /** Folder of the local state cache (default `<repoRoot>/.dbx-ts/state`). */
  cacheDir?: string;
  /** `--select key,...`: plan and apply these resources (and the files they use) only. */
  select?: readonly string[];
}

export interface DeployOptions extends DeployContext {
  /** Approve deletions and replacements without asking (CI). */
  autoApprove?: boolean;
  /** Asks the user on a terminal; absent means nobody can be asked. */
  confirm?: (question: string) => Promise<boolean>;
  forceLock?: boolean;
  /**
   * `deploy --plan`: checks the plan made under the lock against the reviewed one and throws when they differ.
   * A plan that passes was approved by its review: its deletions and replacements are not asked about again.
   */
  reviewedPlan?: (plan: DeployPlan, basis: PlanBasis) => void;
}

export interface DeployResult {
  plan: DeployPlan;
  paths: BundlePaths;
  user: CurrentUser;
  stateSource: StateSource;
  /** What the plan was made against, for plan files. */
  basis: PlanBasis;
  applied?: ApplyOutcome;
}

export interface Prepared {
  /** The model with this deploy's variable values. */
  model: BundleModel;
  variables: Record<string, VariableValue>;
  user: CurrentUser;
  paths: BundlePaths;
  desired: DesiredResource[];
  store: StateStore;
  ctx: AdapterContext;
  sink: EventSink;
  parallelism: number;
  uploads: number;
}

/** The model with every variable's value for this deploy, so synth and settings agree on them. */
function withVariables(model: BundleModel, variables: Record<string, VariableValue>): BundleModel {
  const effective = structuredClone(model);
  const catalogBefore = model.target.variables['catalog'] ?? model.variables['catalog']?.default;
  effective.target = { ...effective.target, variables: { ...variables } };
  // The catalog name feeds the generated notebooks; follow a --var or BUNDLE_VAR_ override of it.
  if (variables['catalog'] !== undefined && String(catalogBefore) === model.catalog) effective.catalog = String(variables['catalog']);
  return effective;
}

/** Who deploys, where, and what the bundle wants: reads only (whoami), nothing is written. */
export async function prepare(opts: DeployContext): Promise<Prepared> {
  const sink = opts.sink ?? silentSink;
  const parallelism = Math.max(1, Math.floor(opts.parallelism ?? DEFAULT_PARALLELISM));
  const uploads = Math.max(1, Math.floor(opts.uploadParallelism ?? DEFAULT_UPLOAD_PARALLELISM));
  const variables = resolveVariables(opts.model, { ...(opts.vars ? { flags: opts.vars } : {}), env: opts.env ?? {} });
  const model = withVariables(opts.model, variables);
  const me = await opts.client.scim.me();
  const user: CurrentUser = { userName: me.userName, shortName: shortUserName(me.userName), ...(me.displayName ? { displayName: me.displayName } : {}) };
  const paths = targetPaths(model, model.target, variables, user);
  const files = opts.files ?? synthBundle(model, { repoRoot: opts.repoRoot });
  const desired = desiredResources({ model, files, variables, user, paths });
  checkRunAs(bundleSection(model, 'run_as'), desired, user);
  const store = new StateStore({
    client: opts.client,
    paths,
    bundle: model.bundle.name,
    target: model.target.name,
    localFile: join(opts.cacheDir ?? join(opts.repoRoot, '.dbx-ts', 'state'), `${model.target.name}.json`),
    events: sink,
    ...(opts.journalFlushMs === undefined ? {} : { flushIntervalMs: opts.journalFlushMs }),
  });
  return { model, variables, user, paths, desired, store, ctx: { client: opts.client, creator: opts.creator ?? opts.client, memo: new Memo(), ...(opts.createOptions ? { createOptions: opts.createOptions } : {}) }, sink, parallelism, uploads };
}

interface Planned {
  plan: DeployPlan;
  basis: PlanBasis;
  stateSource: StateSource;
  /** Deletions left out of the plan: the objects are not this target's alone (ownership.ts). */
  kept: PlannedAction[];
}

async function makePlan(p: Prepared, model: BundleModel, select?: readonly string[]): Promise<Planned> {
  const selected = parseSelection(select, p.desired);
  const stateSource = await p.store.load();
  const basis = planBasis(p.store.identity, bundleHash(p.desired));
  const remote = await readRemote(p.ctx, p.desired, p.store.state, p.parallelism);
  const everything = planDeploy({
    bundle: model.bundle.name,
    target: model.target.name,
    root_path: p.paths.root,
    desired: p.desired,
    state: p.store.state,
    remote,
  });
  const guarded = await guardDeletions(p, everything, bundleTagValue(p.model), p.sink);
  const plan = selected ? selectActions(guarded.plan, p.desired, selected) : guarded.plan;
  const kept = guarded.kept.map((k) => k.action).filter((a) => !selected || selected.has(a.address));
  withExternal(plan, model);
  for (const message of personRunAsWarnings(model.target.mode, model.target.name, p.desired, p.user)) p.sink({ code: 'log', level: 'warn', message, data: {} });
  return { plan, basis, stateSource, kept };
}

/** Shows the plan; a deploy given a reviewed plan shows it only once it is accepted (a refusal prints just the error). */
function emitPlan(p: Prepared, plan: DeployPlan): void {
  p.sink({ code: 'deploy.plan', level: 'info', message: formatPlan(plan), data: { actions: plan.actions, ...(plan.external ? { external: plan.external } : {}) } });
}

/** Forgets, in this target's state, the objects a guarded deletion left in place. */
async function forgetKept(p: Prepared, kept: PlannedAction[]): Promise<void> {
  if (kept.length === 0) return;
  for (const action of kept) p.store.remove(action.address);
  await p.store.record();
}

/** Names, on the plan, what the bundle declares that dbx-ts leaves to the Databricks CLI. */
function withExternal(plan: DeployPlan, model: BundleModel): void {
  const items = externalItems(model);
  if (items.length > 0) plan.external = items;
}

/** Deletions and replacements of anything but files (files follow the bundle) need approval. */
export function destructiveActions(plan: DeployPlan): PlannedAction[] {
  return plan.actions.filter((a) => (a.action === 'delete' || a.action === 'replace') && a.kind !== 'files');
}

/** Lines naming what will be deleted or replaced. */
function describeActions(actions: PlannedAction[]): string[] {
  return actions.map((a) => `${a.action} ${a.address}`);
}

/** Asks before what cannot be undone (`what`: delete or replace, or a bind that changes the object). */
export async function approve(items: string[], opts: DeployOptions, verb: string, what = 'delete or replace'): Promise<void> {
  if (items.length === 0 || opts.autoApprove) return;
  const list = items.map((line) => `  ${line}`).join('\n');
  if (!opts.confirm) {
    throw new UserError(
      `This ${verb} would ${what} ${items.length} item(s) and no terminal is attached to confirm:\n${list}`,
      `Review the plan (dbx-ts plan), then run again with --auto-approve.`,
    );
  }
  const yes = await opts.confirm(`This ${verb} will ${what}:\n${list}\nContinue?`);
  if (!yes) throw new UserError(`${verb[0]!.toUpperCase()}${verb.slice(1)} cancelled: not approved. Nothing was changed.`);
}

function preflightInput(p: Prepared, opts: DeployContext): PreflightInput {
  const input: PreflightInput = { client: opts.client, desired: p.desired, catalog: p.model.catalog, variables: p.variables };
  if (p.model.target.warehouse_id) input.targetWarehouse = p.model.target.warehouse_id;
  return input;
}

/** What `dbx-ts plan` shows: reads only, no lock, nothing written. Preflight findings are warnings here. */
export async function planBundle(opts: DeployContext): Promise<DeployResult> {
  const p = await prepare(opts);
  await preflight(preflightInput(p, opts), p.sink, { failOnFindings: false });
  const { plan, basis, stateSource } = await makePlan(p, opts.model, opts.select);
  emitPlan(p, plan);
  return { plan, basis, paths: p.paths, user: p.user, stateSource };
}

/** Objects outside the bundle hold names it needs: nothing can be applied until they are bound or renamed. */
function refuseConflicts(plan: DeployPlan): void {
  const blocked = plan.actions.filter((a) => a.conflict);
  if (blocked.length === 0) return;
  const lines = blocked.map((a) => `  ${a.address}: ${ADAPTERS[a.kind].noun} ${a.conflict!.id} exists and is not this bundle's on target ${plan.target}`);
  throw new UserError(
    `Deploy stopped before any change: ${blocked.length} resource(s) need a name held by an object this bundle does not own:\n${lines.join('\n')}`,
    `dbx-ts never takes over an object by its name. To manage it from this bundle, bind it:\n${blocked.map((a) => `  ${a.conflict!.fix}`).join('\n')}\nor give the resource another name.`,
  );
}

/** Deploys the bundle to the client's workspace. The plan is emitted first; the lock is held throughout. */
export async function deployBundle(opts: DeployOptions): Promise<DeployResult> {
  const p = await prepare(opts);
  // Before the first write, not even the lock: what can be known to fail later fails now.
  await preflight(preflightInput(p, opts), p.sink, { failOnFindings: true });
  const lock = await acquireLock({ client: opts.client, paths: p.paths, user: p.user.userName, force: opts.forceLock === true, events: p.sink });
  try {
    const { plan, basis, stateSource, kept } = await makePlan(p, opts.model, opts.select);
    opts.reviewedPlan?.(plan, basis);
    emitPlan(p, plan);
    refuseConflicts(plan);
    if (!opts.reviewedPlan) await approve(describeActions(destructiveActions(plan)), opts, 'deploy');
    await forgetKept(p, kept);
    const applied = await applyPlan({ plan, desired: p.desired, ctx: p.ctx, store: p.store, parallelism: p.parallelism, uploads: p.uploads, sink: p.sink, ...(opts.signal ? { signal: opts.signal } : {}) });
    const s = planSummary(plan);
    p.sink({
      code: 'log',
      level: 'info',
      message: `Deployed bundle ${plan.bundle} to target ${plan.target}: ${s.create} created, ${s.update} updated, ${s.replace} replaced, ${s.delete} deleted, ${s.noop} unchanged.`,
      data: { ...s, root_path: p.paths.root },
    });
    if (plan.external) {
      const paths = plan.external.map((e) => e.path);
      p.sink({
        code: 'deploy.external',
        level: 'warn',
        message: `Not deployed by dbx-ts (${paths.length}): ${paths.join(', ')}. They are in the built bundle: deploy it with the Databricks CLI (dbx-ts build, then databricks bundle deploy in the output directory).`,
        data: { paths },
      });
    }
    return { plan, basis, paths: p.paths, user: p.user, stateSource, applied };
  } finally {
    await Promise.all([releaseQuietly(lock, p.sink), p.store.settled()]);
  }
}

/** Removes everything the bundle deployed (found through the state, or by name and tag), then its folder. */
export async function destroyBundle(opts: DeployOptions): Promise<DeployResult> {
  const p = await prepare(opts);
  const lock = await acquireLock({ client: opts.client, paths: p.paths, user: p.user.userName, force: opts.forceLock === true, events: p.sink });
  let rootRemoved = false;
  try {
    const stateSource = await p.store.load();
    // Resources the state does not know (it was lost) but that carry this bundle's and target's identity.
    const unrecorded = p.desired.filter((d) => !p.store.get(d.address) && d.kind !== 'files');
    const found = await mapLimit(unrecorded, p.parallelism, (d) => ADAPTERS[d.kind].find(p.ctx, d));
    unrecorded.forEach((d, i) => {
      const object = found[i];
      if (object) p.store.state.resources[d.address] = { id: object.id, hash: '' };
    });
    const everything = planDeploy({ bundle: opts.model.bundle.name, target: opts.model.target.name, root_path: p.paths.root, desired: [], state: p.store.state, remote: new Map() });
    const { plan, kept } = await guardDeletions(p, everything, bundleTagValue(p.model), p.sink);
    await forgetKept(p, kept.map((k) => k.action));
    withExternal(plan, opts.model);
    p.sink({ code: 'deploy.plan', level: 'info', message: formatPlan(plan), data: { actions: plan.actions } });
    await approve([...describeActions(plan.actions.filter((a) => a.kind !== 'files')), `delete folder ${p.paths.root} (files, state)`], opts, 'destroy');
    const applied = await applyPlan({ plan, desired: [], ctx: p.ctx, store: p.store, parallelism: p.parallelism, uploads: p.uploads, sink: p.sink, ...(opts.signal ? { signal: opts.signal } : {}) });
    // The folder holds the files, the dashboards' folder, the state and the lock.
    await deleteIgnoringMissing(() => opts.client.workspace.delete({ path: p.paths.root, recursive: true }));
    rootRemoved = true;
    await rm(join(opts.cacheDir ?? join(opts.repoRoot, '.dbx-ts', 'state'), `${opts.model.target.name}.json`), { force: true });
    p.sink({ code: 'log', level: 'info', message: `Destroyed bundle ${plan.bundle} on target ${plan.target}: ${plan.actions.length} resource(s) and ${p.paths.root} removed.`, data: { root_path: p.paths.root } });
    return { plan, basis: { serial: p.store.state.serial, bundle_hash: bundleHash([]) }, paths: p.paths, user: p.user, stateSource, applied };
  } finally {
    if (!rootRemoved) await releaseQuietly(lock, p.sink);
  }
}

/** A lock that cannot be released must not hide the deploy's own outcome; the next deploy names it. */
export async function releaseQuietly(lock: DeployLock, sink: EventSink): Promise<void> {
  try {
    await lock.release();
  } catch (error) {
    sink({ code: 'log', level: 'warn', message: `Could not release the deploy lock ${lock.path}: ${(error as Error).message}`, data: { path: lock.path } });
  }
}
