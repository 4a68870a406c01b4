// Field-by-field differences between settings. Two flavours:
// - full: what changed in the bundle since the last deploy (every field counts, removed ones too);
// - remote: where the workspace no longer matches what we want. Only fields the bundle sets are compared,
//   so values the server adds on its own never show up as drift.
import { matchesAny, type FieldRules } from './fields.ts';
import type { FieldChange } from './types.ts';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** No value at all: absent, null, [], or an object whose fields are all empty (servers drop such values). */
function isEmpty(v: Json): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.values(v).every(isEmpty));
}

/** Scalars compare by value; int64 ids may come back as bigint, so those compare as decimal text. */
function sameScalar(a: Json, b: Json): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b);
  return a === b;
}

export function deepEqual(a: Json, b: Json): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  if (isEmpty(a) && isEmpty(b)) return true;
  return sameScalar(a, b);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function keyOf(rules: FieldRules, path: string): string | undefined {
  const pattern = path.replace(/\[[^\]]*\]/g, '[*]');
  return rules.arrayKeys[pattern];
}

function keyed(items: Json[], key: string): Map<string, Json> {
  const map = new Map<string, Json>();
  for (const item of items) if (isObject(item)) map.set(String(item[key]), item);
  return map;
}

/** Every difference between the settings applied last time and the ones wanted now. */
export function diffFull(before: Json, after: Json, rules: FieldRules, path = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffFull(before[k], after[k], rules, join(path, k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = keyOf(rules, path);
    if (key !== undefined) {
      const b = keyed(before, key);
      const a = keyed(after, key);
      const ids = [...new Set([...b.keys(), ...a.keys()])];
      return ids.flatMap((id) => diffFull(b.get(id), a.get(id), rules, `${path}[${id}]`));
    }
  }
  if (deepEqual(before, after)) return [];
  return [change(path, before, after, 'local')];
}

/**
 * Where the remote object differs from the wanted settings, looking only at fields the settings set (minus
 * the kind's ignoreRemote fields). Keyed arrays also report elements that exist only remotely.
 */
export function diffRemote(wanted: Json, remote: Json, rules: FieldRules, path = ''): FieldChange[] {
  if (path && matchesAny(path, rules.ignoreRemote)) return [];
  if (isObject(wanted)) {
    if (!isObject(remote)) return isEmpty(wanted) && isEmpty(remote) ? [] : [change(path, remote, wanted, 'remote')];
    return Object.keys(wanted)
      .sort()
      .flatMap((k) => diffRemote(wanted[k], remote[k], rules, join(path, k)));
  }
  if (Array.isArray(wanted)) {
    if (!Array.isArray(remote)) return isEmpty(wanted) && isEmpty(remote) ? [] : [change(path, remote, wanted, 'remote')];
    const key = keyOf(rules, path);
    if (key !== undefined) {
      const w = keyed(wanted, key);
      const r = keyed(remote, key);
      const changes = [...w.entries()].flatMap(([id, item]) => diffRemote(item, r.get(id), rules, `${path}[${id}]`));
      for (const [id, item] of r) if (!w.has(id)) changes.push(change(`${path}[${id}]`, item, undefined, 'remote'));
      return changes;
    }
    if (wanted.length !== remote.length) return [change(path, remote, wanted, 'remote')];
    const differs = wanted.some((item, i) => diffRemote(item, remote[i], rules, `${path}[${i}]`).length > 0);
    return differs ? [change(path, remote, wanted, 'remote')] : [];
  }
  if (wanted === undefined || (isEmpty(wanted) && isEmpty(remote))) return [];
  return sameScalar(wanted, remote) ? [] : [change(path, remote, wanted, 'remote')];
}

function change(path: string, before: Json, after: Json, source: FieldChange['source']): FieldChange {
  const c: FieldChange = { path, source };
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return c;
}

/** Marks changes the kind cannot apply in place. */
export function markRecreate(changes: FieldChange[], rules: FieldRules): FieldChange[] {
  return changes.map((c) => (matchesAny(c.path, rules.recreateOnChange) ? { ...c, recreate: true } : c));
}
