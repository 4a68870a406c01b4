// What a loaded YAML bundle declares, arranged the way a dbx-ts definition says it: the bundle's own settings,
// variables and targets (for app.ts), and each resource with the file that declares it, its settings, its
// per-target overrides, and the targets it exists on when it is declared only in some targets' sections.
import { deepEqual } from '../deploy/diff.ts';
import type { LoadedBundle, LoadIssue } from './load.ts';

type Obj = Record<string, unknown>;

export interface TargetOverride {
  target: string;
  value: Obj;
  /** The target declares the resource on its own, differently: its settings replace the base ones. */
  replace?: boolean;
}

export interface ResourceEntry {
  type: string;
  key: string;
  /** The YAML file that declares the resource (bundle-relative). */
  file: string;
  line: number;
  settings: Obj;
  overrides: TargetOverride[];
  /** Declared only in these targets' sections. */
  targets?: string[];
}

export interface Inventory {
  name: string;
  /** `bundle` without its name (uuid, git, deployment, cluster_id, ...). */
  bundle: Obj;
  /** The other top-level sections (workspace, sync, permissions, run_as, presets, artifacts, ...). */
  settings: Obj;
  variables: Record<string, Obj>;
  /** Targets without their resources. */
  targets: Record<string, Obj>;
  resources: ResourceEntry[];
  /** The YAML files, in the order the CLI reads them. */
  files: string[];
  issues: LoadIssue[];
}

/** Top-level sections dbx-ts keeps as the bundle's settings. */
export const ROOT_SECTIONS = ['workspace', 'artifacts', 'sync', 'permissions', 'run_as', 'presets', 'experimental', 'python', 'scripts'];

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function inventory(loaded: LoadedBundle): Inventory {
  const merged = loaded.merged;
  const issues = [...loaded.issues];
  const bundle = isMap(merged['bundle']) ? { ...merged['bundle'] } : {};
  const name = typeof bundle['name'] === 'string' ? bundle['name'] : '';
  if (!name) issues.push({ severity: 'error', file: loaded.files[0]!.file.path, line: 1, message: 'bundle.name is required' });
  delete bundle['name'];
  const settings: Obj = {};
  for (const section of ROOT_SECTIONS) if (merged[section] !== undefined && merged[section] !== null) settings[section] = merged[section];
  const variables: Record<string, Obj> = {};
  for (const [v, def] of Object.entries(isMap(merged['variables']) ? merged['variables'] : {})) variables[v] = isMap(def) ? def : {};

  const targetSections = isMap(merged['targets']) ? merged['targets'] : isMap(merged['environments']) ? merged['environments'] : {};
  const targets: Record<string, Obj> = {};
  for (const [t, section] of Object.entries(targetSections)) {
    const { resources: _resources, ...rest } = isMap(section) ? section : {};
    targets[t] = rest;
  }

  const resources: ResourceEntry[] = [];
  const byAddress = new Map<string, ResourceEntry>();
  for (const f of loaded.files) {
    for (const [type, entries] of Object.entries(isMap(f.value['resources']) ? f.value['resources'] : {})) {
      for (const [key, settings] of Object.entries(isMap(entries) ? entries : {})) {
        const address = `${type}.${key}`;
        if (byAddress.has(address)) continue;
        // The merged settings: a resource spread over two files (which the CLI refuses) is still imported once.
        const all = (merged['resources'] as Obj)[type] as Obj;
        const entry: ResourceEntry = { type, key, file: f.file.path, line: f.file.lineOf(['resources', type, key]), settings: isMap(all[key]) ? all[key] : isMap(settings) ? settings : {}, overrides: [] };
        byAddress.set(address, entry);
        resources.push(entry);
      }
    }
  }

  // Target sections: overrides of resources declared at the root, or resources of their own.
  const own = new Map<string, { defs: Map<string, Obj>; file: string; line: number }>();
  for (const [t, section] of Object.entries(targetSections)) {
    if (!isMap(section) || !isMap(section['resources'])) continue;
    for (const [type, entries] of Object.entries(section['resources'])) {
      for (const [key, value] of Object.entries(isMap(entries) ? entries : {})) {
        const address = `${type}.${key}`;
        const v = isMap(value) ? value : {};
        const root = byAddress.get(address);
        if (root) root.overrides.push({ target: t, value: v });
        else {
          const where = declaringFile(loaded, t, type, key);
          const found = own.get(address) ?? { defs: new Map<string, Obj>(), ...where };
          found.defs.set(t, v);
          own.set(address, found);
        }
      }
    }
  }
  for (const [address, { defs, file, line }] of own) {
    const [type, ...rest] = address.split('.');
    const key = rest.join('.');
    const [first, base] = [...defs.entries()][0]!;
    const overrides: TargetOverride[] = [...defs.entries()].filter(([t, v]) => t !== first && !deepEqual(v, base)).map(([target, value]) => ({ target, value, replace: true }));
    resources.push({ type: type!, key, file, line, settings: base, overrides, targets: [...defs.keys()] });
  }
  return { name, bundle, settings, variables, targets, resources, files: loaded.files.map((f) => f.file.path), issues };
}

/** The first file that declares a resource in a target's section. */
function declaringFile(loaded: LoadedBundle, target: string, type: string, key: string): { file: string; line: number } {
  for (const f of loaded.files) {
    for (const section of ['targets', 'environments']) {
      const t = isMap(f.value[section]) ? (f.value[section] as Obj)[target] : undefined;
      const resources = isMap(t) ? t['resources'] : undefined;
      const entries = isMap(resources) ? resources[type] : undefined;
      if (isMap(entries) && key in entries) return { file: f.file.path, line: f.file.lineOf([section, target, 'resources', type, key]) };
    }
  }
  return { file: loaded.files[0]!.file.path, line: 1 };
}
