// Pipelines: create, edit with the complete spec, get, delete. Pipeline names are unique in a workspace
// (allow_duplicate_names is off), so the name finds a pipeline again.
import type { RequestBody } from '../../workspace/index.ts';
import { createOnce } from './create-once.ts';
import { FIELD_RULES } from '../fields.ts';
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

async function findPipeline(ctx: AdapterContext, desired: DesiredResource): Promise<RemoteObject | undefined> {
  const name = String(desired.settings['name']);
  for await (const status of ctx.client.pipelines.list({ filter: likeFilter(name), max_results: 100 })) {
    if (status.name === name && status.pipeline_id) return readPipeline(ctx, status.pipeline_id);
  }
  return undefined;
}

export const pipelinesAdapter: ResourceAdapter = {
  kind: 'pipelines',
  rules: FIELD_RULES.pipelines,

  read: readPipeline,

  find: findPipeline,

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
