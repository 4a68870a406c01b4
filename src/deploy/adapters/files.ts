// Workspace files: notebooks imported as SOURCE with their language (the path loses its extension), pipeline
// sources imported as plain files. Reads list each folder once per deploy; content is compared by hash only.
import { FIELD_RULES } from '../fields.ts';
import { deleteIgnoringMissing, parentOf, readOrUndefined, samePath } from './errors.ts';
import { isNotFound } from '../../workspace/index.ts';
import type { ObjectInfo } from '../../workspace/index.ts';
import { standardDiff, type AdapterContext, type ApplyResult, type RemoteObject, type ResourceAdapter } from './types.ts';
import type { DesiredResource } from '../types.ts';

function listing(ctx: AdapterContext, dir: string): Promise<ObjectInfo[] | undefined> {
  return ctx.memo.once(`workspace/list:${dir}`, () => readOrUndefined(() => ctx.client.workspace.list({ path: dir })));
}

/** Creates each folder once per deploy (mkdirs is idempotent, so a retry is harmless). */
export function ensureDirectory(ctx: AdapterContext, dir: string): Promise<unknown> {
  return ctx.memo.once(`workspace/mkdirs:${dir}`, () => ctx.client.workspace.mkdirs({ path: dir }));
}

async function upload(ctx: AdapterContext, desired: DesiredResource): Promise<ApplyResult> {
  const path = String(desired.settings['path']);
  const notebook = desired.settings['object_type'] === 'NOTEBOOK';
  const request = {
    path,
    content: typeof desired.payload === 'string' || desired.payload === undefined ? Buffer.from(desired.payload ?? '', 'utf8') : desired.payload,
    overwrite: true,
    ...(notebook ? { format: 'SOURCE' as const, language: desired.settings['language'] as 'PYTHON' | 'SQL' } : { format: 'RAW' as const }),
  };
  try {
    await ctx.client.workspace.import(request);
  } catch (error) {
    // The folder was removed since the plan read it: create it and import again.
    if (!isNotFound(error)) throw error;
    ctx.memo.forget(`workspace/mkdirs:${parentOf(path)}`);
    await ensureDirectory(ctx, parentOf(path));
    await ctx.client.workspace.import(request);
  }
  return { id: path };
}

export const filesAdapter: ResourceAdapter = {
  kind: 'files',
  rules: FIELD_RULES.files,
  noun: 'file',
  identity: "its path in the bundle's folder",

  async read(ctx, id): Promise<RemoteObject | undefined> {
    const objects = await listing(ctx, parentOf(id));
    const found = objects?.find((o) => o.path !== undefined && samePath(o.path, id));
    if (!found) return undefined;
    const settings: Record<string, unknown> = { path: id, object_type: found.object_type };
    if (found.object_type === 'NOTEBOOK' && found.language) settings['language'] = found.language;
    return { id, settings };
  },

  find(ctx, desired) {
    return this.read(ctx, String(desired.settings['path']));
  },

  async create(ctx, desired) {
    await ensureDirectory(ctx, parentOf(String(desired.settings['path'])));
    return upload(ctx, desired);
  },

  update(ctx, _id, desired) {
    return upload(ctx, desired);
  },

  delete(ctx, id) {
    return deleteIgnoringMissing(() => ctx.client.workspace.delete({ path: id, recursive: false }));
  },

  diff(recorded, desired, remote) {
    return standardDiff(this.rules, recorded, desired, remote);
  },
};
