// Unity Catalog schemas: create, get, update (comment, properties, retention), delete with force (a schema
// goes with its tables and volumes, as `databricks bundle destroy` does). The id is `<catalog>.<schema>`.
import type { RequestBody } from '../../workspace/index.ts';
import { FIELD_RULES } from '../fields.ts';
import type { DesiredResource } from '../types.ts';
import { createOnce } from './create-once.ts';
import { deleteIgnoringMissing, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';
import { pick, withoutCaseOnlyChanges } from './unity-catalog-names.ts';

const FIELDS = ['name', 'catalog_name', 'comment', 'properties', 'storage_root', 'custom_max_retention_hours'] as const;

export function schemaFullName(settings: Record<string, unknown>): string {
  return `${String(settings['catalog_name'])}.${String(settings['name'])}`.toLowerCase();
}

async function readSchema(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined> {
  const schema = await readOrUndefined(() => ctx.client.schemas.get(id));
  if (!schema) return undefined;
  return { id: schema.full_name ?? id, settings: pick(schema as Record<string, unknown>, FIELDS) };
}

function updateBody(desired: DesiredResource): RequestBody<'schemas/update'> {
  return pick(desired.settings, ['comment', 'properties', 'custom_max_retention_hours']) as RequestBody<'schemas/update'>;
}

export const schemasAdapter: ResourceAdapter = {
  kind: 'schemas',
  rules: FIELD_RULES.schemas,
  noun: 'schema',

  read: readSchema,

  // Schemas carry no tags through the API: without a recorded id, an existing schema is not taken as ours.
  idBeforeCreate: (desired) => schemaFullName(desired.settings),

  async find() {
    return undefined;
  },

  occupant(ctx, desired) {
    return readSchema(ctx, schemaFullName(desired.settings));
  },

  async create(ctx, desired) {
    const fullName = schemaFullName(desired.settings);
    return createOnce(
      async () => {
        const created = await ctx.creator.schemas.create(pick(desired.settings, FIELDS) as RequestBody<'schemas/create'>);
        return { id: created.full_name ?? fullName };
      },
      // After an answer that was lost, a schema of this name is the one this call made (plan saw none).
      async () => ((await readSchema(ctx, fullName)) ? { id: fullName } : undefined),
      ctx.createOptions,
    );
  },

  async update(ctx, id, desired) {
    const updated = await ctx.client.schemas.update(id, updateBody(desired));
    return { id: updated.full_name ?? id };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.schemas.delete(id, { force: true }));
  },

  diff(recorded, desired, remote) {
    return withoutCaseOnlyChanges(standardDiff(this.rules, recorded, desired, remote));
  },
};
