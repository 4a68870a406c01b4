// The bundle's configuration resolved for one target, as `databricks bundle validate -o json` prints it: one
// document with the target's overrides merged in, `bundle.target` set, `targets` and `include` gone, each
// variable with its `value`, and local paths relative to the bundle root (in YAML they are relative to the
// file that holds them).
import { posix } from 'node:path';
import { mergeValues } from '../model/merge.ts';
import { mapResourcePaths } from '../model/path-fields.ts';
import type { BundleModel } from '../model/types.ts';
import { canonical } from './canonical.ts';
import { configFiles, mergedConfig } from './config.ts';

type Doc = Record<string, unknown>;

export function resolvedConfig(model: BundleModel): Doc {
  const files = configFiles(model).map((f) => (f.path.startsWith('resources/') ? { ...f, doc: fromBundleRoot(f.path, f.doc) } : f));
  const { targets: _targets, include: _include, ...root } = mergedConfig(files);
  const target = model.target;
  const doc = mergeValues(root, structuredClone(target.settings ?? {})) as Doc;
  doc['bundle'] = { ...(doc['bundle'] as Doc), target: target.name, ...(target.mode ? { mode: target.mode } : {}) };
  const workspace = { ...(doc['workspace'] as Doc | undefined), ...target.workspace };
  if (Object.keys(workspace).length > 0) doc['workspace'] = workspace;
  const variables: Doc = {};
  for (const [name, declared] of Object.entries(model.variables)) {
    const value = target.variables[name] ?? declared.default;
    variables[name] = { ...declared, ...(value === undefined ? {} : { value }) };
  }
  if (Object.keys(variables).length > 0) doc['variables'] = variables;
  const values = Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, (v as Doc)['value']]));
  const bundle = { name: model.bundle.name, target: target.name };
  return canonical(withValues(doc, (ref) => referenceValue(ref, values, bundle))) as Doc;
}

const REFERENCE = /\$\{([A-Za-z_][\w-]*(?:\.[\w-]+)*)\}/g;

/** `${var.x}`, `${variables.x.value}`, `${bundle.name}` and `${bundle.target}`; others need a workspace (undefined). */
function referenceValue(ref: string, values: Record<string, unknown>, bundle: { name: string; target: string }): unknown {
  const parts = ref.split('.');
  if (parts[0] === 'var' && parts.length === 2) return values[parts[1]!];
  if (parts[0] === 'variables' && parts.length === 3 && parts[2] === 'value') return values[parts[1]!];
  if (ref === 'bundle.name') return bundle.name;
  if (ref === 'bundle.target') return bundle.target;
  return undefined;
}

/** Replaces the references `valueOf` knows; a whole-value reference keeps the value's type. */
function withValues(value: unknown, valueOf: (ref: string) => unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([^}]+)\}$/.exec(value);
    const resolved = whole ? valueOf(whole[1]!) : undefined;
    if (resolved !== undefined) return depth < 10 && typeof resolved === 'string' ? withValues(resolved, valueOf, depth + 1) : resolved;
    const out = value.replace(REFERENCE, (match, ref: string) => {
      const v = valueOf(ref);
      return v === undefined || typeof v === 'object' ? match : String(v);
    });
    return out !== value && depth < 10 ? withValues(out, valueOf, depth + 1) : out;
  }
  if (Array.isArray(value)) return value.map((v) => withValues(v, valueOf, depth));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withValues(v, valueOf, depth)]));
  return value;
}

/** A resources/*.yml document with its local paths made relative to the bundle root again. */
function fromBundleRoot(file: string, doc: Doc): Doc {
  const dir = posix.dirname(file);
  const kinds = doc['resources'] as Record<string, Record<string, Doc>>;
  const out: Record<string, Record<string, Doc>> = {};
  for (const [kind, resources] of Object.entries(kinds)) {
    out[kind] = {};
    for (const [key, settings] of Object.entries(resources)) {
      out[kind][key] = mapResourcePaths(kind, settings, (path) => posix.normalize(posix.join(dir, path)));
    }
  }
  return { ...doc, resources: out };
}
