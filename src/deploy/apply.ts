// apply: performs a plan's actions in dependency order, file uploads and resource calls each with their own
// bound on calls in flight (uploads are small and many; resource calls are fewer and heavier). Each change is
// journaled as it lands (state.ts) and the state is written once at the end, also after a failure or Ctrl-C.
// A failure stops the resources that depend on it; independent ones still finish, then the first error is
// thrown. Ctrl-C stops new calls, lets running ones finish and their changes be saved.
import { RunFailedError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import { ADAPTERS } from './adapters/index.ts';
import type { AdapterContext, ApplyResult } from './adapters/types.ts';
import { settingsHash } from './hash.ts';
import { hasUnresolvedReference, resolveResourceIds } from './interpolate.ts';
import type { StateStore } from './state.ts';
import type { Address, DeployPlan, DesiredResource, PlannedAction, StateEntry } from './types.ts';

export interface ApplyOptions {
  plan: DeployPlan;
  desired: DesiredResource[];
  ctx: AdapterContext;
  store: StateStore;
  /** Resource calls (everything but file uploads) in flight at once. */
  parallelism: number;
  /** File uploads in flight at once (default: parallelism). */
  uploads?: number;
  sink: EventSink;
  signal?: AbortSignal;
}

export interface ApplyOutcome {
  done: PlannedAction[];
  failed: { action: PlannedAction; error: unknown }[];
  skipped: PlannedAction[];
}

interface Step {
  action: PlannedAction;
  waitsFor: Address[];
}

const PAST: Record<PlannedAction['action'], string> = { create: 'created', update: 'updated', replace: 'replaced', delete: 'deleted', noop: 'recorded' };

/** Steps worth running: every change, plus adopted resources whose id must be recorded. */
function steps(plan: DeployPlan, desired: Map<Address, DesiredResource>): Step[] {
  const work = plan.actions.filter((a) => a.action !== 'noop' || a.adopted || a.bound);
  const addresses = new Set(work.map((a) => a.address));
  const writes = work.filter((a) => a.action !== 'delete').map((a) => a.address);
  const deletes = work.filter((a) => a.action === 'delete');
  return work.map((action) => {
    if (action.action !== 'delete') {
      return { action, waitsFor: (desired.get(action.address)?.dependsOn ?? []).filter((d) => addresses.has(d)) };
    }
    // Deletes wait for every other change (a job may stop using a pipeline before the pipeline goes), and the
    // plan lists dependents first, so each delete also waits for the deletes listed before it of other kinds.
    const earlier = deletes.slice(0, deletes.indexOf(action)).filter((d) => d.kind !== action.kind).map((d) => d.address);
    return { action, waitsFor: [...writes, ...earlier] };
  });
}

export async function applyPlan(options: ApplyOptions): Promise<ApplyOutcome> {
  const desired = new Map(options.desired.map((d) => [d.address, d]));
  const all = steps(options.plan, desired);
  const outcome: ApplyOutcome = { done: [], failed: [], skipped: [] };
  const finished = new Set<Address>();
  const blocked = new Set<Address>();
  const pending = new Map(all.map((s) => [s.action.address, s]));
  // `running` calls hold a slot of their pool; `saving` ones are done calling and wait for their journal line,
  // which needs no slot. A step counts as finished for its dependents only once its change is journaled.
  const running = { files: 0, resources: 0 };
  const limits = { files: Math.max(1, options.uploads ?? options.parallelism), resources: Math.max(1, options.parallelism) };
  const poolOf = (action: PlannedAction) => (action.kind === 'files' ? 'files' : 'resources');
  let saving = 0;

  const fail = (action: PlannedAction, error: unknown) => {
    blocked.add(action.address);
    outcome.failed.push({ action, error });
    emit(options.sink, action, 'failed', `${action.action} ${action.address} failed: ${(error as Error).message}`, 'error');
  };

  await new Promise<void>((resolveAll) => {
    const pump = () => {
      for (const step of [...pending.values()]) {
        if (step.waitsFor.some((d) => blocked.has(d))) {
          pending.delete(step.action.address);
          blocked.add(step.action.address);
          outcome.skipped.push(step.action);
          emit(options.sink, step.action, 'skipped', `skipped ${step.action.address}: a resource it depends on failed`);
          continue;
        }
        if (options.signal?.aborted) {
          pending.delete(step.action.address);
          outcome.skipped.push(step.action);
          continue;
        }
        const pool = poolOf(step.action);
        if (running[pool] >= limits[pool] || !step.waitsFor.every((d) => finished.has(d))) continue;
        pending.delete(step.action.address);
        running[pool] += 1;
        const { action } = step;
        void run(action, options, desired).then(
          (message) => {
            running[pool] -= 1;
            saving += 1;
            options.store
              .record()
              .then(
                () => {
                  finished.add(action.address);
                  outcome.done.push(action);
                  emit(options.sink, action, 'done', message);
                },
                (error: unknown) => fail(action, error),
              )
              .finally(() => {
                saving -= 1;
                pump();
              });
            pump();
          },
          (error: unknown) => {
            running[pool] -= 1;
            fail(action, error);
            pump();
          },
        );
      }
      const idle = running.files === 0 && running.resources === 0 && saving === 0;
      if (idle && pending.size > 0 && !options.signal?.aborted) {
        // Nothing runs and nothing can start: only a dependency on a missing step could cause this.
        for (const step of pending.values()) outcome.skipped.push(step.action);
        pending.clear();
      }
      if (idle && pending.size === 0) resolveAll();
    };
    options.signal?.addEventListener('abort', pump, { once: true });
    pump();
  });

  // The state is written once, whatever happened: what was done is kept even when something failed. Should
  // this write fail, the journal still holds every change, and the next deploy replays it.
  try {
    await options.store.commit();
  } catch (error) {
    if (outcome.failed.length === 0) throw error;
  }
  const first = outcome.failed[0];
  if (first) throw first.error;
  if (options.signal?.aborted && outcome.skipped.length > 0) {
    throw new RunFailedError(`Deploy interrupted: ${outcome.done.length} change(s) applied and saved, ${outcome.skipped.length} not started`, 'cancelled');
  }
  return outcome;
}

function emit(sink: EventSink, action: PlannedAction, status: string, message: string, level: 'info' | 'error' | 'debug' = 'info'): void {
  sink({ code: 'deploy.action', level, message, data: { resource: action.address, action: action.action, status } });
}

function entryFor(desired: DesiredResource, result: ApplyResult): StateEntry {
  const entry: StateEntry = { id: result.id, hash: settingsHash(desired.settings, desired.payload) };
  // File settings are only a path; their content hash is what matters.
  if (desired.kind !== 'files') entry.settings = desired.settings;
  if (desired.dependsOn.length > 0) entry.depends_on = [...desired.dependsOn];
  if (result.etag !== undefined) entry.etag = result.etag;
  return entry;
}

/** Performs one action and records it in the state (in memory); returns the line that reports it. */
async function run(action: PlannedAction, options: ApplyOptions, desiredByAddress: Map<Address, DesiredResource>): Promise<string> {
  const { ctx, store } = options;
  const adapter = ADAPTERS[action.kind];
  if (action.action === 'delete') {
    await adapter.delete(ctx, action.id!);
    store.remove(action.address);
    return `deleted ${action.address}`;
  }
  const wanted = desiredByAddress.get(action.address)!;
  const settings = resolveResourceIds(wanted.settings, (kind, key) => store.get(`${kind}.${key}`)?.id);
  if (hasUnresolvedReference(settings)) throw new Error(`${action.address} still refers to a resource that does not exist`);
  const desired: DesiredResource = { ...wanted, settings };
  emit(options.sink, action, 'started', `${action.action} ${action.address}`, 'debug');

  /**
   * Records the id a create is about to give the object (see ResourceAdapter.idBeforeCreate) in the workspace's
   * journal before the create: nothing else could tell that object from someone else's on a fresh machine.
   */
  const recordIntent = async () => {
    if (!adapter.idBeforeCreate) return;
    store.set(action.address, { id: adapter.idBeforeCreate(desired), hash: '', pending: true });
    await store.flush();
  };
  let result: ApplyResult;
  switch (action.action) {
    case 'create':
      await recordIntent();
      result = await adapter.create(ctx, desired);
      break;
    case 'update':
      result = await adapter.update(ctx, action.id!, desired, store.get(action.address));
      break;
    case 'replace':
      await adapter.delete(ctx, action.id!);
      store.remove(action.address);
      await store.record();
      await recordIntent();
      result = await adapter.create(ctx, desired);
      break;
    default:
      // An adopted resource that already matches: only its id needs recording.
      result = { id: action.id! };
  }
  store.set(action.address, entryFor(desired, result));
  const id = action.kind === 'files' ? '' : ` (id ${result.id})`;
  return `${PAST[action.action]} ${action.address}${id}`;
}
