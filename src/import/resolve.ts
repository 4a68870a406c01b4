// The resolved configuration of a loaded YAML bundle for one target, as `databricks bundle validate -o json`
// shows it, without a workspace: the target selected and merged (root.go MergeTargetOverrides), variables
// given their values, `${var.*}`, `${bundle.*}` and `${workspace.*}` references resolved (dynvar: a value that
// is one reference keeps the referenced type), values normalised again, and keyed lists folded.
//
// Documented differences from the CLI: what needs a workspace stays as written (`${workspace.current_user.*}`,
// lookup variables, `${resources.*}`); BUNDLE_VAR_* and --var are not read; development-mode presets, server
// defaults and path translation into the workspace are not applied (local paths stay relative to the bundle root).
import { foldKeyedLists, mergeValues } from '../model/merge.ts';
import type { LoadIssue } from './load.ts';
import { normaliseConfig, type NormaliseIssue } from './normalise.ts';
import { pureReference, referenceKeys, referencePattern } from './references.ts';

type Obj = Record<string, unknown>;

export interface ResolvedConfig {
  target: string;
  /** The configuration for the target: no `targets`, no `include`. */
  config: Obj;
  /** References left unresolved, variables without a value, and other findings. */
  issues: Omit<LoadIssue, 'file' | 'line'>[];
}

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const MAX_ROUNDS = 11;
/** Roots a reference may resolve against without a workspace or a deployment. */
const PREFIXES = ['bundle', 'workspace', 'variables', 'var'];

/** Target names as the CLI sees them (environments are the old name of targets); none means one named "default". */
export function targetNames(merged: Obj): string[] {
  const targets = isMap(merged['targets']) ? merged['targets'] : isMap(merged['environments']) ? merged['environments'] : undefined;
  return targets && Object.keys(targets).length > 0 ? Object.keys(targets) : ['default'];
}

/** The target `databricks bundle validate` picks without -t, or undefined when it would ask for one. */
export function defaultTarget(merged: Obj): string | undefined {
  const names = targetNames(merged);
  if (names.length === 1) return names[0];
  const targets = (isMap(merged['targets']) ? merged['targets'] : merged['environments']) as Obj;
  const defaults = names.filter((n) => isMap(targets[n]) && targets[n]['default'] === true);
  return defaults.length === 1 ? defaults[0] : undefined;
}

export function resolveConfig(merged: Obj, target: string): ResolvedConfig {
  const issues: ResolvedConfig['issues'] = [];
  let root = structuredClone(merged);
  if (root['targets'] === undefined && root['environments'] !== undefined) root['targets'] = root['environments'];
  delete root['environments'];
  computeIdToClusterId(root);
  if (!isMap(root['targets']) || Object.keys(root['targets']).length === 0) root['targets'] = { default: {} };
  const targets = root['targets'] as Obj;
  if (!(target in targets)) throw new Error(`${target}: no such target. Available targets: ${Object.keys(targets).join(', ')}`);
  root = mergeTarget(root, isMap(targets[target]) ? targets[target] : {});
  delete root['targets'];
  delete root['include'];
  root['bundle'] = { ...(isMap(root['bundle']) ? root['bundle'] : {}), target };
  defineWorkspacePaths(root);
  setVariableValues(root, issues);
  root = resolveReferences(root, issues);
  root = renormalise(root, issues);
  foldResources(root);
  return { target, config: dropNulls(root) as Obj, issues };
}

/**
 * Values normalised again after resolution (`"3"` from a variable becomes 3 where the field is an integer);
 * the fields the CLI sets itself (bundle.mode, bundle.target, variables' values) are not in the schema.
 */
function renormalise(root: Obj, issues: ResolvedConfig['issues']): Obj {
  const bundle = root['bundle'] as Obj;
  const internal = { mode: bundle['mode'], target: bundle['target'] };
  const values = new Map<string, unknown>();
  const variables = isMap(root['variables']) ? root['variables'] : {};
  for (const [name, v] of Object.entries(variables)) if (isMap(v) && 'value' in v) values.set(name, v['value']);
  const stripped: Obj = {
    ...root,
    bundle: Object.fromEntries(Object.entries(bundle).filter(([k]) => k !== 'mode' && k !== 'target')),
    variables: Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, isMap(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'value')) : v])),
  };
  if (!isMap(root['variables'])) delete stripped['variables'];
  const problems: NormaliseIssue[] = [];
  const out = normaliseConfig(stripped, problems) as Obj;
  for (const p of problems) issues.push({ severity: 'warning', message: `${p.keys.join('.')}: ${p.message}` });
  out['bundle'] = { ...(out['bundle'] as Obj), ...(internal.mode !== undefined ? { mode: internal.mode } : {}), target: internal.target };
  for (const [name, value] of values) ((out['variables'] as Obj)[name] as Obj)['value'] = value;
  return out;
}

function computeIdToClusterId(root: Obj): void {
  const move = (m: unknown) => {
    if (isMap(m) && m['compute_id'] !== undefined) {
      m['cluster_id'] ??= m['compute_id'];
      delete m['compute_id'];
    }
  };
  move(root['bundle']);
  if (isMap(root['targets'])) for (const t of Object.values(root['targets'])) move(t);
}

/** The target's sections merged into the root, as MergeTargetOverrides does. */
function mergeTarget(root: Obj, target: Obj): Obj {
  const out = { ...root };
  for (const field of ['bundle', 'workspace', 'artifacts', 'resources', 'sync', 'permissions', 'presets']) {
    if (target[field] === undefined) continue;
    out[field] = out[field] === undefined ? target[field] : mergeValues(out[field], target[field], field);
  }
  if (isMap(target['variables'])) {
    const variables: Obj = { ...(isMap(out['variables']) ? out['variables'] : {}) };
    for (const [name, setting] of Object.entries(target['variables'])) {
      const v: Obj = { ...(isMap(variables[name]) ? variables[name] : {}) };
      if (isMap(setting) && setting['default'] !== undefined) {
        v['default'] = setting['default'];
        delete v['lookup'];
      }
      if (isMap(setting) && setting['lookup'] !== undefined) {
        v['lookup'] = setting['lookup'];
        delete v['default'];
      }
      variables[name] = v;
    }
    out['variables'] = variables;
  }
  if (target['run_as'] !== undefined) out['run_as'] = target['run_as'];
  const bundle: Obj = { ...(isMap(out['bundle']) ? out['bundle'] : {}) };
  if (target['mode'] !== undefined) bundle['mode'] = target['mode'];
  if (target['cluster_id'] !== undefined) bundle['cluster_id'] = target['cluster_id'];
  if (target['git'] !== undefined) bundle['git'] = mergeValues(isMap(bundle['git']) ? bundle['git'] : {}, target['git']);
  out['bundle'] = bundle;
  return out;
}

/**
 * The workspace paths the CLI derives when a bundle does not set them, with the user left as a reference
 * (`~` is the user's home folder; `/Users` paths get the `/Workspace` prefix).
 */
function defineWorkspacePaths(root: Obj): void {
  const ws: Obj = { ...(isMap(root['workspace']) ? root['workspace'] : {}) };
  const home = '/Workspace/Users/${workspace.current_user.userName}';
  const bundle = root['bundle'] as Obj;
  let rootPath = typeof ws['root_path'] === 'string' ? ws['root_path'] : `~/.bundle/${String(bundle['name'] ?? '')}/${String(bundle['target'])}`;
  if (rootPath.startsWith('~/')) rootPath = `${home}/${rootPath.slice(2)}`;
  const prefixed = (p: string) => (p.startsWith('/Users/') || p.startsWith('/Shared/') ? `/Workspace${p}` : p);
  ws['root_path'] = prefixed(rootPath);
  for (const [field, suffix] of [['file_path', 'files'], ['resource_path', 'resources'], ['artifact_path', 'artifacts'], ['state_path', 'state']] as const) {
    ws[field] = typeof ws[field] === 'string' ? prefixed(ws[field]) : `${String(ws['root_path'])}/${suffix}`;
  }
  root['workspace'] = ws;
}

/** Each variable's value: its default (after the target's override); lookups and missing values stay unset. */
function setVariableValues(root: Obj, issues: ResolvedConfig['issues']): void {
  if (!isMap(root['variables'])) return;
  for (const [name, v] of Object.entries(root['variables'])) {
    const variable: Obj = isMap(v) ? { ...v } : {};
    if (variable['lookup'] !== undefined) {
      issues.push({ severity: 'warning', message: `variable ${name} is a lookup, resolved by the Databricks CLI at deploy time; \${var.${name}} stays as written` });
    } else if (variable['default'] !== undefined && variable['default'] !== null) {
      variable['value'] = variable['default'];
    } else {
      issues.push({ severity: 'warning', message: `no value assigned to required variable ${name}; \${var.${name}} stays as written` });
    }
    (root['variables'] as Obj)[name] = variable;
  }
}

function lookupPath(root: Obj, keys: (string | number)[]): unknown {
  let node: unknown = root;
  for (const key of keys) {
    if (typeof key === 'number') node = Array.isArray(node) ? node[key] : undefined;
    else node = isMap(node) ? node[key] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** `${var.x...}` → the keys of `variables.x.value...`. */
function targetKeys(path: string): (string | number)[] | undefined {
  const keys = referenceKeys(path);
  if (!PREFIXES.includes(String(keys[0]))) return undefined;
  if (keys[0] === 'var') return ['variables', keys[1]!, 'value', ...keys.slice(2)];
  return keys;
}

function resolveReferences(root: Obj, issues: ResolvedConfig['issues']): Obj {
  const reported = new Set<string>();
  let current = root;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    const resolveString = (s: string): unknown => {
      const pure = pureReference(s);
      if (pure !== undefined) {
        const keys = targetKeys(pure);
        const value = keys ? lookupPath(current, keys) : undefined;
        if (value === undefined || value === null) {
          if (keys && !reported.has(pure) && !isExternal(pure, current)) {
            reported.add(pure);
            issues.push({ severity: 'warning', message: `reference does not exist: \${${pure}}` });
          }
          return s;
        }
        if (value !== s) changed = true;
        return structuredClone(value);
      }
      return s.replace(referencePattern(), (match, path: string) => {
        const keys = targetKeys(path);
        const value = keys ? lookupPath(current, keys) : undefined;
        if (value === undefined || value === null) return match;
        if (isMap(value) || Array.isArray(value)) {
          if (!reported.has(match)) {
            reported.add(match);
            issues.push({ severity: 'error', message: `cannot interpolate non-primitive value of \${${path}} into a string` });
          }
          return match;
        }
        changed = true;
        return String(value);
      });
    };
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return resolveString(v);
      if (Array.isArray(v)) return v.map(walk);
      if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    const next = walk(current) as Obj;
    current = next;
    if (!changed) break;
  }
  return current;
}

/** References the CLI resolves with a workspace (the current user) or from variables it looks up. */
function isExternal(path: string, root: Obj): boolean {
  if (path.startsWith('workspace.current_user') || path.startsWith('bundle.git')) return true;
  const keys = referenceKeys(path);
  if (keys[0] === 'var' || keys[0] === 'variables') {
    const variable = lookupPath(root, ['variables', keys[1]!]);
    return isMap(variable) && (variable['lookup'] !== undefined || variable['value'] === undefined);
  }
  return false;
}

function foldResources(root: Obj): void {
  if (!isMap(root['resources'])) return;
  for (const [type, entries] of Object.entries(root['resources'])) {
    if (!isMap(entries)) continue;
    for (const [key, settings] of Object.entries(entries)) if (isMap(settings)) entries[key] = foldKeyedLists(type, settings);
  }
}

/** Nulls are "not set" in the CLI's typed configuration. */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(dropNulls);
  if (isMap(value)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = dropNulls(v);
    return out;
  }
  return value;
}
