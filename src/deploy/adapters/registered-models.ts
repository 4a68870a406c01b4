// Unity Catalog registered models: create, get, update (comment), delete, identified by full name. A model
// that already exists under the wanted name is not taken over: the create fails and says how to bind it.
import { UserError } from '../../errors/index.ts';
import type { CreateRegisteredModel, RegisteredModelInfo } from '../../workspace/index.ts';
import { FIELD_RULES } from '../fields.ts';
import type { DesiredResource } from '../types.ts';
import { createOnce } from './create-once.ts';
import { deleteIgnoringMissing, isAlreadyExists, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';

function fullName(settings: Record<string, unknown>): string {
  return `${String(settings['catalog_name'])}.${String(settings['schema_name'])}.${String(settings['name'])}`;
}

function toRemote(m: RegisteredModelInfo): RemoteObject {
  const settings: Record<string, unknown> = {};
  for (const k of ['name', 'catalog_name', 'schema_name', 'comment', 'storage_location'] as const) if (m[k] !== undefined) settings[k] = m[k];
  return { id: m.full_name ?? fullName(settings), settings };
}

async function readModel(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined> {
  const m = await readOrUndefined(() => ctx.client.registeredModels.get(id));
  return m ? toRemote(m) : undefined;
}

export const registeredModelsAdapter: ResourceAdapter = {
  kind: 'registered_models',
  rules: FIELD_RULES.registered_models,
  noun: 'registered model',

  occupant: (ctx, desired) => readModel(ctx, fullName(desired.settings)),

  idBeforeCreate: (desired) => fullName(desired.settings),

  read: readModel,

  // Nothing marks a model as this bundle's, so a model found by name alone is never adopted.
  find: () => Promise.resolve(undefined),

  create(ctx, desired: DesiredResource) {
    let attempts = 0;
    return createOnce(
      async () => {
        attempts += 1;
        try {
          const created = await ctx.creator.registeredModels.create(desired.settings as unknown as CreateRegisteredModel);
          return { id: created.full_name ?? fullName(desired.settings) };
        } catch (error) {
          if (attempts === 1 && isAlreadyExists(error)) {
            throw new UserError(
              `${desired.address}: the registered model ${fullName(desired.settings)} already exists and this bundle did not create it.`,
              'Bind it to the bundle (dbx-ts bind) or choose another name.',
            );
          }
          throw error;
        }
      },
      // Only reached after an earlier attempt of ours may have landed.
      () => readModel(ctx, fullName(desired.settings)).then((m) => (m ? { id: m.id } : undefined)),
      ctx.createOptions,
    );
  },

  async update(ctx, id, desired) {
    const comment = desired.settings['comment'];
    await ctx.client.registeredModels.update(id, { comment: typeof comment === 'string' ? comment : '' });
    return { id };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.registeredModels.delete(id));
  },

  diff(recorded, desired, remote) {
    return standardDiff(this.rules, recorded, desired, remote);
  },
};
