// Configuration merging exactly as the Databricks CLI merges included files and target overrides
// (libs/dyn/merge and the MergeJobTasks/MergeJobClusters/... mutators): maps merge key by key, sequences
// are appended, a scalar is replaced, and a null on either side yields the other side. After a merge, the
// lists the CLI keys (job tasks by task_key, ...) are folded so elements with the same key merge into one.

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return 'sequence';
  if (isMap(value)) return 'map';
  return typeof value;
}

export class MergeError extends Error {}

/** `b` merged into `a`; neither is modified. */
export function mergeValues(a: unknown, b: unknown, path = ''): unknown {
  if (a === null || a === undefined) return b;
  if (b === null || b === undefined) return a;
  if (isMap(a)) {
    if (!isMap(b)) throw new MergeError(`${path || 'the root'}: cannot merge a map with a ${kindOf(b)}`);
    const out: Record<string, unknown> = { ...a };
    for (const [key, value] of Object.entries(b)) {
      out[key] = key in out ? mergeValues(out[key], value, path ? `${path}.${key}` : key) : value;
    }
    return out;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) throw new MergeError(`${path || 'the root'}: cannot merge a sequence with a ${kindOf(b)}`);
    return [...a, ...b];
  }
  // The CLI refuses to merge scalars of different kinds, except that YAML's int and float are both numbers here.
  if (typeof a !== typeof b) throw new MergeError(`${path || 'the root'}: cannot merge a ${kindOf(a)} with a ${kindOf(b)}`);
  return b;
}

/**
 * Every value merged in order, as merging them one by one with mergeValues does, but the maps this merge made
 * itself are merged into in place: merging file by file otherwise copies the growing maps for every file
 * (quadratic in the number of resources). The inputs are not modified.
 */
export function mergeAll(values: readonly unknown[]): unknown {
  const owned = new WeakSet<object>();
  const merge = (a: unknown, b: unknown, path: string): unknown => {
    if (!isMap(a) || !isMap(b)) return mergeValues(a, b, path);
    const out = owned.has(a) ? a : { ...a };
    owned.add(out);
    for (const [key, value] of Object.entries(b)) out[key] = key in out ? merge(out[key], value, path ? `${path}.${key}` : key) : value;
    return out;
  };
  return values.reduce<unknown>((root, value) => merge(root, value, ''), {});
}

/** How one keyed list is folded: elements with the same key are merged, in first-seen order (or sorted). */
interface KeyedList {
  /** Path of the list inside one resource's settings. */
  list: string;
  key: string;
  /** The key as the CLI compares it (pipeline cluster labels default to "default" and ignore case). */
  normalise?: (value: unknown) => string;
  sort?: boolean;
  /** Later elements replace fields of earlier ones instead of merging into them (apps' resources). */
  override?: boolean;
}

const KEYED_LISTS: Record<string, KeyedList[]> = {
  jobs: [
    { list: 'job_clusters', key: 'job_cluster_key' },
    { list: 'parameters', key: 'name' },
    // The CLI sorts tasks by key as it folds them, so a job's task order never depends on file order.
    { list: 'tasks', key: 'task_key', sort: true },
  ],
  pipelines: [{ list: 'clusters', key: 'label', normalise: (v) => (typeof v === 'string' ? v.toLowerCase() : 'default') }],
  apps: [{ list: 'resources', key: 'name', override: true }],
};

/** Grants are folded by principal (and their privileges de-duplicated) on these types. */
const GRANT_TYPES = new Set(['catalogs', 'schemas', 'external_locations', 'secrets', 'volumes', 'registered_models', 'vector_search_indexes']);

function keyString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function fold(elements: unknown[], spec: KeyedList): unknown[] {
  const normalise = spec.normalise ?? keyString;
  const order: string[] = [];
  const seen = new Map<string, unknown>();
  for (const element of elements) {
    const key = normalise(isMap(element) ? element[spec.key] : undefined);
    const earlier = seen.get(key);
    if (earlier === undefined) {
      order.push(key);
      seen.set(key, element);
    } else {
      seen.set(key, spec.override && isMap(earlier) && isMap(element) ? { ...earlier, ...element } : mergeValues(earlier, element));
    }
  }
  if (spec.sort) order.sort();
  return order.map((key) => {
    const element = seen.get(key);
    // The folded element carries the normalised key, as the CLI writes it back.
    return isMap(element) ? { ...element, [spec.key]: key } : element;
  });
}

function foldGrants(grants: unknown[]): unknown[] {
  const folded = fold(grants, { list: 'grants', key: 'principal' });
  return folded.map((grant) => {
    if (!isMap(grant) || !Array.isArray(grant['privileges'])) return grant;
    return { ...grant, privileges: [...new Set(grant['privileges'] as unknown[])] };
  });
}

/** One resource's settings with its keyed lists folded (a new object; lists that are absent stay absent). */
export function foldKeyedLists(type: string, settings: Record<string, unknown>): Record<string, unknown> {
  let out = settings;
  for (const spec of KEYED_LISTS[type] ?? []) {
    const list = out[spec.list];
    if (Array.isArray(list)) out = { ...out, [spec.list]: fold(list, spec) };
  }
  if (GRANT_TYPES.has(type) && Array.isArray(out['grants'])) out = { ...out, grants: foldGrants(out['grants'] as unknown[]) };
  return out;
}
