// MLflow experiments: create, get, rename, set tags, delete. An experiment's name is its workspace path and is
// unique; one is adopted only if it carries this bundle's tags (a lost create answer), never someone else's.
import type { CreateExperiment, Experiment } from '../../workspace/index.ts';
import { BUNDLE_TAG, KEY_TAG } from '../desired.ts';
import { FIELD_RULES } from '../fields.ts';
import type { DesiredResource } from '../types.ts';
import { createOnce } from './create-once.ts';
import { deleteIgnoringMissing, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

type Tag = { key?: string; value?: string };

function tagValue(tags: unknown, key: string): string | undefined {
  return Array.isArray(tags) ? (tags as Tag[]).find((t) => t.key === key)?.value : undefined;
}

function toRemote(e: Experiment): RemoteObject | undefined {
  if (e.lifecycle_stage === 'deleted') return undefined;
  const settings: Record<string, unknown> = { name: e.name };
  if (e.artifact_location !== undefined) settings['artifact_location'] = e.artifact_location;
  if (e.tags !== undefined) settings['tags'] = e.tags;
  return { id: e.experiment_id, settings };
}

async function readExperiment(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined> {
  const e = await readOrUndefined(() => ctx.client.experiments.get(id));
  return e ? toRemote(e) : undefined;
}

async function findExperiment(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined> {
  const e = await readOrUndefined(() => ctx.client.experiments.getByName(String(desired.settings['name'])));
  if (!e) return undefined;
  const ours = [BUNDLE_TAG, KEY_TAG].every((k) => tagValue(e.tags, k) === tagValue(desired.settings['tags'], k));
  return ours ? toRemote(e) : undefined;
}

export const experimentsAdapter: ResourceAdapter = {
  kind: 'experiments',
  rules: FIELD_RULES.experiments,
  noun: 'experiment',
  identity: `its tags ${BUNDLE_TAG} and ${KEY_TAG}`,

  // Experiment names (workspace paths) are unique: another experiment there blocks ours.
  async occupant(ctx, desired) {
    const e = await readOrUndefined(() => ctx.client.experiments.getByName(String(desired.settings['name'])));
    return e ? toRemote(e) : undefined;
  },

  read: readExperiment,

  find: findExperiment,

  create(ctx, desired) {
    return createOnce(
      async () => ({ id: (await ctx.creator.experiments.create(desired.settings as CreateExperiment)).experiment_id }),
      async () => {
        const found = await findExperiment(ctx, desired);
        return found ? { id: found.id } : undefined;
      },
      ctx.createOptions,
    );
  },

  async update(ctx, id, desired) {
    // Only the name and tags change in place (the artifact location forces a replacement); setting a tag twice is harmless.
    const remote = await ctx.client.experiments.get(id);
    const name = String(desired.settings['name']);
    if (remote.name !== name) await ctx.client.experiments.rename(id, name);
    for (const tag of (desired.settings['tags'] as Tag[] | undefined) ?? []) {
      if (tag.key !== undefined && tagValue(remote.tags, tag.key) !== tag.value) await ctx.client.experiments.setTag(id, tag.key, tag.value ?? '');
    }
    return { id };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.experiments.delete(id));
  },

  diff(recorded, desired, remote) {
    return standardDiff(this.rules, recorded, desired, remote);
  },
};
