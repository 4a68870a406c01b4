// Pipelines: create, edit with the complete spec, get, delete. A pipeline is found again by its name and the
// bundle's and target's tags (never by the name alone); pipeline names are unique in a workspace unless
// allow_duplicate_names, so a hand-made or foreign pipeline with our name is a conflict the plan reports.
import type { RequestBody } from '../../workspace/index.ts';
import { createOnce } from './create-once.ts';
import { FIELD_RULES } from '../fields.ts';
import { BUNDLE_TAG, KEY_TAG, sameIdentity } from '../identity.ts';
import type { DesiredResource } from '../types.ts';
import { deleteIgnoringMissing, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

type PipelineBody = RequestBody<'pipelines/create'>;

async function readPipeline(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined> {
  const pipeline = await readOrUndefined(() => ctx.client.pipelines.get(id));
  if (!pipeline || pipeline.state === 'DELETED') return undefined;
  return { id, settings: (pipeline.spec ?? {}) as Record<string, unknown> };
}

/** A LIKE pattern matching `name` literally (quotes doubled; `%` and `_` are then checked exactly below). */
function likeFilter(name: string): string {
  return `name LIKE '${name.replace(/'/g, "''")}'`;
}

/** Every pipeline with exactly this name, read in full (the list shows no tags). */
async function pipelinesNamed(ctx: AdapterContext, name: string): Promise<RemoteObject[]> {
  const found: RemoteObject[] = [];
  for await (const status of ctx.client.pipelines.list({ filter: likeFilter(name), max_results: 100 })) {
    if (status.name !== name || !status.pipeline_id) continue;
    const pipeline = await readPipeline(ctx, status.pipeline_id);
    if (pipeline) found.push(pipeline);
  }
  return found;
}

async function findPipeline(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined> {
  const named = await pipelinesNamed(ctx, String(desired.settings['name']));
  return named.find((p) => sameIdentity(desired.settings, p.settings));
}

export const pipelinesAdapter: ResourceAdapter = {
  kind: 'pipelines',
  rules: FIELD_RULES.pipelines,
  noun: 'pipeline',
  identity: `its tags ${BUNDLE_TAG} and ${KEY_TAG}`,

  read: readPipeline,

  find: findPipeline,

  async occupant(ctx, desired) {
    if (desired.settings['allow_duplicate_names'] === true) return undefined;
    const named = await pipelinesNamed(ctx, String(desired.settings['name']));
    return named.find((p) => !sameIdentity(desired.settings, p.settings));
  },

  async create(ctx, desired) {
    return createOnce(
      async () => {
        const created = await ctx.creator.pipelines.create(desired.settings as PipelineBody);
        if (!created.pipeline_id) throw new Error(`pipelines/create returned no pipeline_id for ${desired.address}`);
        return { id: created.pipeline_id };
      },
      async () => {
        const found = await findPipeline(ctx, desired);
        return found ? { id: found.id } : undefined;
      },
      ctx.createOptions,
    );
  },

  async update(ctx, id, desired) {
    await ctx.client.pipelines.edit(id, { ...(desired.settings as PipelineBody), id });
    return { id };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.pipelines.delete(id));
  },

  diff(recorded, desired, remote) {
    return standardDiff(this.rules, recorded, desired, remote);
  },
};
