// Loads a YAML bundle as the Databricks CLI's load phase does (bundle/config/loader, root.go): the entry file,
// then every `include` glob (each glob's matches sorted, no file twice), each file with the target-variable
// shorthand rewritten, its local paths made relative to the bundle root, and its values normalised to the
// schema; then all files merged in that order. Nothing is resolved yet: targets are still separate.
import { existsSync } from 'node:fs';
import { extname, join, posix, relative, resolve as resolvePath, sep } from 'node:path';
import { UserError } from '../errors/index.ts';
import { mergeValues, MergeError } from '../model/merge.ts';
import { ENTRY_FILES, mapPathFields, mapResourcePaths, ROOT_PATH_FIELDS } from '../model/path-fields.ts';
import { glob, hasGlobMeta } from './glob.ts';
import { normaliseConfig, type NormaliseIssue } from './normalise.ts';
import { readYamlFile, type YamlFile } from './yaml-file.ts';

/** The names the CLI accepts for the entry file, in the order it looks for them. */
export { ENTRY_FILES } from '../model/path-fields.ts';

/** Something worth telling the user about the bundle, with where it was written. */
export interface LoadIssue {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  message: string;
}

export interface LoadedFile {
  file: YamlFile;
  /** The file's settings after shorthand rewriting, path rebasing and normalisation. */
  value: Record<string, unknown>;
}

export interface LoadedBundle {
  /** Absolute path of the bundle root (the entry file's folder). */
  root: string;
  files: LoadedFile[];
  /** Every file merged, targets not applied. */
  merged: Record<string, unknown>;
  issues: LoadIssue[];
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function findEntryFile(root: string): string | undefined {
  return ENTRY_FILES.find((name) => existsSync(join(root, name)));
}

export function loadBundle(dir: string): LoadedBundle {
  const root = resolvePath(dir);
  const entryName = findEntryFile(root);
  if (!entryName) throw new UserError(`No bundle configuration in ${root}: expected one of ${ENTRY_FILES.join(', ')}.`);
  const issues: LoadIssue[] = [];
  const entry = prepare(readYamlFile(join(root, entryName), entryName), issues);
  const files: LoadedFile[] = [entry];
  const seen = new Set(ENTRY_FILES);
  const includes = entry.value['include'];
  for (const [index, pattern] of (Array.isArray(includes) ? includes : []).entries()) {
    const where = { severity: 'error' as const, file: entryName, line: entry.file.lineOf(['include', index]) };
    if (typeof pattern !== 'string') continue;
    if (pattern.startsWith('/')) throw new UserError(`${where.file}:${where.line}: ${pattern}: includes must be relative paths`);
    const matches = glob(root, pattern);
    if (matches.length === 0 && !hasGlobMeta(pattern)) {
      throw new UserError(`${where.file}:${where.line}: ${pattern} defined in 'include' section does not match any files`);
    }
    for (const match of matches) {
      const rel = relative(root, match).split(sep).join('/');
      if (seen.has(rel)) continue;
      seen.add(rel);
      if (!['.yml', '.yaml', '.json'].includes(extname(rel))) {
        throw new UserError(`${where.file}:${where.line}: ${rel} in the 'include' section is not a YAML or JSON file; list files to sync under sync.include instead.`);
      }
      const loaded = prepare(readYamlFile(match, rel), issues);
      if (loaded.value['include'] !== undefined) {
        issues.push({ severity: 'warning', file: rel, line: loaded.file.lineOf(['include']), message: 'include is only read from the entry file; the Databricks CLI ignores it here' });
      }
      files.push(loaded);
    }
  }
  let merged: unknown = {};
  for (const f of files) {
    try {
      merged = mergeValues(merged, f.value);
    } catch (error) {
      if (!(error instanceof MergeError)) throw error;
      throw new UserError(`${f.file.path}: ${error.message}`);
    }
  }
  checkUniqueKeys(files, issues);
  return { root, files, merged: merged as Record<string, unknown>, issues };
}

/** One file as the CLI holds it after loading: shorthands rewritten, paths from the bundle root, normalised. */
function prepare(file: YamlFile, issues: LoadIssue[]): LoadedFile {
  const value = rewriteShorthands(file.value);
  const dir = posix.dirname(file.path);
  const rebase = (p: string) => cleanPath(posix.join(dir, p));
  const rebased = rebasePaths(value, rebase);
  const problems: NormaliseIssue[] = [];
  const normalised = normaliseConfig(rebased, problems) as Record<string, unknown>;
  for (const p of problems) issues.push({ severity: 'warning', file: file.path, line: file.lineOf(p.keys), message: `${formatKeys(p.keys)}: ${p.message}` });
  return { file, value: normalised ?? {} };
}

/** A path as the CLI's filepath.Join leaves it: normalised, no trailing slash. */
function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export function formatKeys(keys: readonly (string | number)[]): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

/** Local paths in resources, artifacts and sync (at the root and in targets), rebased onto the bundle root. */
function rebasePaths(value: Record<string, unknown>, rebase: (p: string) => string): Record<string, unknown> {
  const section = (v: Record<string, unknown>): Record<string, unknown> => {
    let out = mapPathFields(ROOT_PATH_FIELDS, v, rebase) as Record<string, unknown>;
    if (isMap(out['resources'])) {
      const resources: Record<string, unknown> = {};
      for (const [type, entries] of Object.entries(out['resources'])) {
        resources[type] = isMap(entries)
          ? Object.fromEntries(Object.entries(entries).map(([key, r]) => [key, isMap(r) ? mapResourcePaths(type, r, rebase) : r]))
          : entries;
      }
      out = { ...out, resources };
    }
    return out;
  };
  const out = section(value);
  if (isMap(out['targets'])) {
    out['targets'] = Object.fromEntries(Object.entries(out['targets']).map(([name, t]) => [name, isMap(t) ? section(t) : t]));
  }
  if (isMap(out['environments'])) {
    out['environments'] = Object.fromEntries(Object.entries(out['environments']).map(([name, t]) => [name, isMap(t) ? section(t) : t]));
  }
  return out;
}

const FULL_FORMS = [['default', 'type', 'description'], ['default', 'type'], ['default', 'description'], ['lookup', 'description'], ['default'], ['lookup']];

/** A target's variable written in full (`{default: ...}`, `{lookup: ...}`) rather than as its value. */
export function isFullVariableOverride(value: unknown): boolean {
  if (!isMap(value)) return false;
  const keys = Object.keys(value);
  return FULL_FORMS.some((form) => form.length === keys.length && form.every((k) => k in value));
}

/** `targets.<t>.variables.<v>: value` → `{default: value}` (complex values keep the variable's type), as the CLI does per file. */
function rewriteShorthands(value: Record<string, unknown>): Record<string, unknown> {
  const rewriteTargets = (targets: unknown): unknown => {
    if (!isMap(targets)) return targets;
    const out: Record<string, unknown> = {};
    for (const [name, target] of Object.entries(targets)) {
      if (!isMap(target) || !isMap(target['variables'])) {
        out[name] = target;
        continue;
      }
      const variables: Record<string, unknown> = {};
      for (const [v, setting] of Object.entries(target['variables'])) {
        if (setting === null || setting === undefined) variables[v] = setting;
        else if (!isMap(setting) && !Array.isArray(setting)) variables[v] = { default: setting };
        else if (isFullVariableOverride(setting)) variables[v] = setting;
        else {
          const declared = isMap(value['variables']) ? value['variables'][v] : undefined;
          const type = isMap(declared) ? declared['type'] : undefined;
          variables[v] = type === 'complex' ? { type, default: setting } : { default: setting };
        }
      }
      out[name] = { ...target, variables };
    }
    return out;
  };
  const out = { ...value };
  if (out['targets'] !== undefined) out['targets'] = rewriteTargets(out['targets']);
  if (out['environments'] !== undefined) out['environments'] = rewriteTargets(out['environments']);
  return out;
}

/** Resource keys are unique across types and files (the CLI refuses the bundle otherwise). */
function checkUniqueKeys(files: LoadedFile[], issues: LoadIssue[]): void {
  const where = new Map<string, { file: string; line: number; type: string }[]>();
  for (const f of files) {
    const resources = f.value['resources'];
    if (!isMap(resources)) continue;
    for (const [type, entries] of Object.entries(resources)) {
      if (!isMap(entries)) continue;
      for (const key of Object.keys(entries)) {
        where.set(key, [...(where.get(key) ?? []), { file: f.file.path, line: f.file.lineOf(['resources', type, key]), type }]);
      }
    }
  }
  for (const [key, places] of where) {
    if (places.length < 2) continue;
    const list = places.map((p) => `${p.type} at ${p.file}:${p.line}`).join(', ');
    issues.push({ severity: 'error', file: places[1]!.file, line: places[1]!.line, message: `multiple resources have been defined with the same key: ${key} (${list})` });
  }
}
