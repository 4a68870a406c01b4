// Target mode presets and bundle paths, as the Databricks CLI applies them. Development mode makes a personal
// copy: names prefixed `[dev <short_name>] `, schemas `dev_<short_name>_`, schedules and triggers paused,
// pipelines in development mode, a `dev` tag on jobs. Production mode leaves the settings untouched.
import type { TargetMode } from '../model/types.ts';
import type { BundlePaths, ResourceKind } from './types.ts';

/** The CLI's short name: the e-mail's local part with every character that is not a letter or digit as `_`. */
export function shortUserName(userName: string): string {
  const local = userName.split('@')[0] ?? userName;
  return local
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]/gu, '_');
}

/** `/Workspace/Users/<me>/.bundle/<bundle>/<target>` unless the target sets root_path (already interpolated). */
export function bundlePaths(opts: { bundle: string; target: string; userName: string; rootPath?: string }): BundlePaths {
  let root = opts.rootPath ?? `/Workspace/Users/${opts.userName}/.bundle/${opts.bundle}/${opts.target}`;
  if (root.startsWith('~/')) root = `/Workspace/Users/${opts.userName}/${root.slice(2)}`;
  root = root.replace(/\/+$/, '');
  return { root, files: `${root}/files`, state: `${root}/state`, resources: `${root}/resources` };
}

export interface PresetOptions {
  mode: TargetMode | undefined;
  shortName: string;
  /** What goes before each schema name on this target (model/namespace.ts schemaPrefix); '' when absent. */
  schemaPrefix?: string;
}

/** Development mode's name prefix, or '' in production. */
export function namePrefix(opts: PresetOptions): string {
  return opts.mode === 'development' ? `[dev ${opts.shortName}] ` : '';
}

/** The name prefix where names are identifiers (the CLI's normalised prefix): `dev_<short_name>_`. */
export function identifierPrefix(opts: PresetOptions): string {
  if (opts.mode !== 'development') return '';
  const normalised = `dev ${opts.shortName}`
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  return `${normalised}_`;
}

const PAUSABLE = ['schedule', 'trigger', 'continuous'] as const;

/** Parallel runs a development job allows when the definition says nothing (the CLI's default). */
const DEVELOPMENT_CONCURRENT_RUNS = 4;

/** Settings as the target's mode wants them; returns a new object. */
export function applyPresets(kind: ResourceKind, settings: Record<string, unknown>, opts: PresetOptions): Record<string, unknown> {
  const out = structuredClone(settings);
  // A target's schemas are its own (target isolation): prefixed in development mode, or as presets.name_prefix says.
  if (kind === 'schemas') {
    out['name'] = `${opts.schemaPrefix ?? ''}${String(out['name'] ?? '')}`;
    return out;
  }
  if (opts.mode !== 'development') return out;
  const prefix = namePrefix(opts);
  switch (kind) {
    case 'jobs': {
      out['name'] = prefix + String(out['name'] ?? '');
      const tags = { ...((out['tags'] as Record<string, string> | undefined) ?? {}) };
      tags['dev'] ??= opts.shortName;
      out['tags'] = tags;
      for (const field of PAUSABLE) {
        const value = out[field] as Record<string, unknown> | undefined;
        if (value && typeof value === 'object') out[field] = { ...value, pause_status: 'PAUSED' };
      }
      out['max_concurrent_runs'] ??= DEVELOPMENT_CONCURRENT_RUNS;
      return out;
    }
    case 'pipelines':
      out['name'] = prefix + String(out['name'] ?? '');
      out['development'] = true;
      return out;
    case 'dashboards':
      out['display_name'] = prefix + String(out['display_name'] ?? '');
      return out;
    case 'clusters': {
      out['cluster_name'] = prefix + String(out['cluster_name'] ?? '');
      out['custom_tags'] = { dev: opts.shortName, ...((out['custom_tags'] as Record<string, string> | undefined) ?? {}) };
      return out;
    }
    case 'experiments': {
      // The prefix goes on the last part of the experiment's workspace path.
      const name = String(out['name'] ?? '');
      const slash = name.lastIndexOf('/');
      out['name'] = `${name.slice(0, slash + 1)}${prefix}${name.slice(slash + 1)}`;
      const tags = (out['tags'] as { key?: string; value?: string }[] | undefined) ?? [];
      out['tags'] = tags.some((t) => t.key === 'dev') ? tags : [...tags, { key: 'dev', value: opts.shortName }];
      return out;
    }
    case 'registered_models':
    case 'model_serving_endpoints':
      // Unity Catalog and serving names allow no spaces or brackets: `dev_<short_name>_` instead.
      out['name'] = `${identifierPrefix(opts)}${String(out['name'] ?? '')}`;
      return out;
    case 'secret_scopes':
    case 'files':
    case 'permissions':
    case 'grants':
      // Scope names cannot hold spaces or brackets, and files already live under the user's own root.
      return out;
    case 'catalogs':
    case 'volumes':
      // Catalogs and volumes keep their names, as in the CLI: volumes follow their schema through
      // `${resources.schemas.<key>.name}` (schemas are prefixed above).
      return out;
  }
}
