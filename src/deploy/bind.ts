// `dbx-ts bind <key> <id>` and `dbx-ts unbind <key>`, as the Databricks CLI's `bundle deployment bind/unbind`:
// bind records an existing object as a resource of this bundle on this target (the next deploy applies the
// bundle's settings to it, and destroy deletes it); unbind forgets it (it stays in the workspace, and the next
// deploy creates a new one unless the resource leaves the bundle). Both hold the deploy lock.
import { UserError } from '../errors/index.ts';
import { ADAPTERS } from './adapters/index.ts';
import { approve, prepare, releaseQuietly, type DeployOptions, type Prepared } from './deploy.ts';
import { bundleTagValue } from './desired.ts';
import { formatPlan } from './format.ts';
import { identityOf } from './identity.ts';
import { acquireLock } from './lock.ts';
import { otherTargetRecords } from './ownership.ts';
import { planDeploy } from './plan.ts';
import type { DesiredResource } from './types.ts';

export interface BindResult {
  address: string;
  id: string;
  /** The object differed from the bundle's settings in these fields; the next deploy changes them. */
  changes: string[];
}

/** The bundle's resource for `key` (`bronze`, or `schemas.bronze`); files are not bindable. */
function resourceFor(p: Prepared, key: string): DesiredResource {
  const bindable = p.desired.filter((d) => d.kind !== 'files');
  const found = bindable.filter((d) => d.key === key || d.address === key);
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new UserError(`"${key}" names more than one resource: ${found.map((d) => d.address).join(', ')}.`, 'Name it as <kind>.<key>, e.g. schemas.bronze.');
  throw new UserError(`The bundle has no resource "${key}" on target ${p.model.target.name}.`, `Resources: ${bindable.map((d) => d.address).join(', ') || 'none'}.`);
}

async function withLock<T>(p: Prepared, opts: DeployOptions, work: () => Promise<T>): Promise<T> {
  const lock = await acquireLock({ client: opts.client, paths: p.paths, user: p.user.userName, force: opts.forceLock === true, events: p.sink });
  try {
    return await work();
  } finally {
    await releaseQuietly(lock, p.sink);
  }
}

export async function bindResource(opts: DeployOptions & { key: string; id: string }): Promise<BindResult> {
  const p = await prepare(opts);
  const desired = resourceFor(p, opts.key);
  const adapter = ADAPTERS[desired.kind];
  return withLock(p, opts, async () => {
    await p.store.load();
    const existing = p.store.get(desired.address);
    if (existing) {
      throw new UserError(
        existing.id === opts.id
          ? `${desired.address} is already bound to ${opts.id} on target ${p.model.target.name}.`
          : `${desired.address} already manages ${adapter.noun} ${existing.id} on target ${p.model.target.name}.`,
        existing.id === opts.id ? undefined : `To manage ${opts.id} instead, unbind first: dbx-ts unbind ${desired.key} -t ${p.model.target.name}`,
      );
    }
    const object = await adapter.read(p.ctx, opts.id);
    if (!object) throw new UserError(`No ${adapter.noun} with id ${opts.id} in the workspace ${opts.client.host}.`);
    const theirs = identityOf(object.settings);
    const ours = bundleTagValue(p.model);
    if (theirs !== undefined && theirs !== ours) {
      throw new UserError(
        `${adapter.noun} ${opts.id} belongs to ${theirs} (its tags say so); binding it to ${ours} would let this target change and delete it.`,
        'Bind an object of this target, or let this target create its own.',
      );
    }
    const others = (await otherTargetRecords(p)).get(`${desired.kind}:${object.id}`);
    if (others) {
      p.sink({ code: 'log', level: 'warn', message: `${adapter.noun} ${object.id} is also recorded by target ${others.join(', ')}: both targets will apply their settings to it, and destroying either leaves it in place.`, data: { id: object.id, targets: others } });
    }
    // What the next deploy would change on the object, as the CLI shows before asking.
    const drift = adapter.diff(undefined, desired, object);
    const entry = { id: object.id, hash: '', bound: true as const };
    const plan = planDeploy({
      bundle: p.model.bundle.name,
      target: p.model.target.name,
      root_path: p.paths.root,
      desired: [desired],
      state: { ...p.store.state, resources: { [desired.address]: entry } },
      remote: new Map([[desired.address, { object }]]),
    });
    p.sink({ code: 'deploy.plan', level: 'info', message: formatPlan(plan), data: { actions: plan.actions } });
    if (drift.length > 0) await approve([`bind ${desired.address} to ${object.id}; the next deploy changes ${drift.map((c) => c.path).join(', ')}`], opts, 'bind', 'change');
    p.store.set(desired.address, entry);
    await p.store.persist();
    await p.store.settled();
    p.sink({
      code: 'log',
      level: 'info',
      message: `Bound ${desired.address} to ${adapter.noun} ${object.id} on target ${p.model.target.name}. Run dbx-ts deploy to apply the bundle's settings to it.`,
      data: { resource: desired.address, id: object.id },
    });
    return { address: desired.address, id: object.id, changes: drift.map((c) => c.path) };
  });
}

export async function unbindResource(opts: DeployOptions & { key: string }): Promise<{ address: string; id: string }> {
  const p = await prepare(opts);
  const desired = resourceFor(p, opts.key);
  return withLock(p, opts, async () => {
    await p.store.load();
    const entry = p.store.get(desired.address);
    if (!entry) throw new UserError(`${desired.address} is not bound to anything on target ${p.model.target.name}: nothing to unbind.`);
    p.store.remove(desired.address);
    await p.store.persist();
    await p.store.settled();
    p.sink({
      code: 'log',
      level: 'info',
      message: `Unbound ${desired.address} from ${ADAPTERS[desired.kind].noun} ${entry.id} on target ${p.model.target.name}. It stays in the workspace, and this bundle no longer changes or deletes it; the next deploy creates a new one unless the resource leaves the bundle.`,
      data: { resource: desired.address, id: entry.id },
    });
    return { address: desired.address, id: entry.id };
  });
}
