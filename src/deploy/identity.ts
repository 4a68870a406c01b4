// Which bundle and target an object belongs to. Jobs and pipelines carry it in two tags (the bundle and target,
// and the resource key); without them (or a record in the deploy state, or `dbx-ts bind`) an object is never
// taken as this bundle's, whatever its name.

/** `<bundle>.<target>`: one bundle deployed to one target. */
export const BUNDLE_TAG = 'dbx_ts_bundle';
/** The resource key within the bundle. */
export const KEY_TAG = 'dbx_ts_key';

export function tagsOf(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  const tags = settings?.['tags'];
  return tags !== null && typeof tags === 'object' ? (tags as Record<string, unknown>) : {};
}

/** True when `theirs` carries the same bundle, target and key tags as `ours`. */
export function sameIdentity(ours: Record<string, unknown>, theirs: Record<string, unknown>): boolean {
  const a = tagsOf(ours);
  const b = tagsOf(theirs);
  return a[BUNDLE_TAG] !== undefined && a[BUNDLE_TAG] === b[BUNDLE_TAG] && a[KEY_TAG] === b[KEY_TAG];
}

/** The `<bundle>.<target>` an object's tags name, when they name one. */
export function identityOf(settings: Record<string, unknown> | undefined): string | undefined {
  const value = tagsOf(settings)[BUNDLE_TAG];
  return typeof value === 'string' ? value : undefined;
}
