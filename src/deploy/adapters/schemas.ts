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

/** Every schema of one catalog (schemas/list pages carry the same fields as schemas/get); shared within a deploy. */
function listCatalog(ctx: AdapterContext, catalog: string): Promise<RemoteObject[]> {
  return ctx.memo.once(`schemas/list:${catalog}`, async () => {
    const schemas: RemoteObject[] = [];
    for await (const schema of ctx.client.schemas.list({ catalog_name: catalog, max_results: 0 })) {
      if (schema.full_name) schemas.push({ id: schema.full_name.toLowerCase(), settings: pick(schema as Record<string, unknown>, FIELDS) });
    }
    return schemas;
  });
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

  // One listing per catalog, covering the catalogs of the desired schemas and of the recorded ids (a catalog
  // renamed in the bundle still has its old schema looked at).
  async listAll(ctx, scope) {
    const catalogs = new Set([...scope.desired.map((d) => String(d.settings['catalog_name']).toLowerCase()), ...scope.recordedIds.map((id) => id.split('.')[0]!.toLowerCase())]);
    return (await Promise.all([...catalogs].map((catalog) => listCatalog(ctx, catalog)))).flat();
  },

  findIn() {
    return undefined;
  },

  occupantIn(listing, desired) {
    return listing.find((o) => o.id === schemaFullName(desired.settings));
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
