// Unity Catalog catalogs a bundle owns: create, get, update (comment, properties; a new name renames it in
// place), delete with force (the catalog goes with everything in it, as `databricks bundle destroy` does).
import type { RequestBody } from '../../workspace/index.ts';
import { FIELD_RULES } from '../fields.ts';
import { createOnce } from './create-once.ts';
import { deleteIgnoringMissing, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';
import { pick, withoutCaseOnlyChanges } from './unity-catalog-names.ts';

const CREATE_FIELDS = ['name', 'comment', 'properties', 'storage_root', 'connection_name', 'provider_name', 'share_name', 'options', 'custom_max_retention_hours', 'managed_encryption_settings'] as const;

async function readCatalog(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined> {
  const catalog = await readOrUndefined(() => ctx.client.catalogs.get(id));
  if (!catalog) return undefined;
  return { id: catalog.name ?? id, settings: pick(catalog as Record<string, unknown>, CREATE_FIELDS) };
}

export const catalogsAdapter: ResourceAdapter = {
  kind: 'catalogs',
  rules: FIELD_RULES.catalogs,
  noun: 'catalog',

  read: readCatalog,

  // Catalogs carry no tags: without a recorded id, an existing catalog is not taken as ours.
  idBeforeCreate: (desired) => String(desired.settings['name']).toLowerCase(),

  async find() {
    return undefined;
  },

  occupant(ctx, desired) {
    return readCatalog(ctx, String(desired.settings['name']).toLowerCase());
  },

  async create(ctx, desired) {
    const name = String(desired.settings['name']).toLowerCase();
    return createOnce(
      async () => {
        const created = await ctx.creator.catalogs.create(pick(desired.settings, CREATE_FIELDS) as RequestBody<'catalogs/create'>);
        return { id: created.name ?? name };
      },
      async () => ((await readCatalog(ctx, name)) ? { id: name } : undefined),
      ctx.createOptions,
    );
  },

  async update(ctx, id, desired) {
    const body = pick(desired.settings, ['comment', 'properties', 'options', 'custom_max_retention_hours']) as RequestBody<'catalogs/update'>;
    const name = String(desired.settings['name']);
    if (name.toLowerCase() !== id) body.new_name = name;
    const updated = await ctx.client.catalogs.update(id, body);
    return { id: updated.name ?? name.toLowerCase() };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.catalogs.delete(id, { force: true }));
  },

  diff(recorded, desired, remote) {
    return withoutCaseOnlyChanges(standardDiff(this.rules, recorded, desired, remote));
  },
};
