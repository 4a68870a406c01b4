// Unity Catalog volumes: create, read, update (comment; a new name renames it in place), delete (a managed
// volume's files go with it). The id is `<catalog>.<schema>.<volume>`.
import type { RequestBody } from '../../workspace/index.ts';
import { FIELD_RULES } from '../fields.ts';
import { createOnce } from './create-once.ts';
import { deleteIgnoringMissing, readOrUndefined } from './errors.ts';
import { standardDiff, type AdapterContext, type RemoteObject, type ResourceAdapter } from './types.ts';
import { pick, withoutCaseOnlyChanges } from './unity-catalog-names.ts';

const FIELDS = ['name', 'catalog_name', 'schema_name', 'volume_type', 'storage_location', 'comment'] as const;

export function volumeFullName(settings: Record<string, unknown>): string {
  return `${String(settings['catalog_name'])}.${String(settings['schema_name'])}.${String(settings['name'])}`.toLowerCase();
}

async function readVolume(ctx: AdapterContext, id: string): Promise<RemoteObject | undefined> {
  const volume = await readOrUndefined(() => ctx.client.volumes.read(id));
  if (!volume) return undefined;
  const settings = pick(volume as Record<string, unknown>, FIELDS);
  // A managed volume's storage location is the metastore's choice, not a setting.
  if (volume.volume_type === 'MANAGED') delete settings['storage_location'];
  return { id: volume.full_name ?? id, settings };
}

export const volumesAdapter: ResourceAdapter = {
  kind: 'volumes',
  rules: FIELD_RULES.volumes,
  noun: 'volume',

  read: readVolume,

  // Volumes carry no tags: without a recorded id, an existing volume is not taken as ours.
  idBeforeCreate: (desired) => volumeFullName(desired.settings),

  async find() {
    return undefined;
  },

  occupant(ctx, desired) {
    return readVolume(ctx, volumeFullName(desired.settings));
  },

  async create(ctx, desired) {
    const fullName = volumeFullName(desired.settings);
    return createOnce(
      async () => {
        const created = await ctx.creator.volumes.create(pick(desired.settings, FIELDS) as RequestBody<'volumes/create'>);
        return { id: created.full_name ?? fullName };
      },
      async () => ((await readVolume(ctx, fullName)) ? { id: fullName } : undefined),
      ctx.createOptions,
    );
  },

  async update(ctx, id, desired) {
    const body: RequestBody<'volumes/update'> = pick(desired.settings, ['comment']);
    const name = String(desired.settings['name']);
    if (name.toLowerCase() !== id.split('.').at(-1)) body.new_name = name;
    const updated = await ctx.client.volumes.update(id, body);
    return { id: updated.full_name ?? volumeFullName(desired.settings) };
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.volumes.delete(id));
  },

  diff(recorded, desired, remote) {
    return withoutCaseOnlyChanges(standardDiff(this.rules, recorded, desired, remote));
  },
};
