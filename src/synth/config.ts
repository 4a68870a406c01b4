// BundleModel → the bundle configuration documents (databricks.yml and one resources/*.yml per resource).
import { posix } from 'node:path';
import type { BundleModel, TargetModel } from '../model/types.ts';
import { mapResourcePaths } from '../model/path-fields.ts';
import { ALL_RESOURCE_TYPES, isGenericResourceType, RESOURCE_TYPES } from '../model/resource-types.ts';
import { mergeAll, mergeValues } from '../model/merge.ts';
import { canonical } from './canonical.ts';

export interface ConfigFile {
  /** Bundle-relative path, e.g. `resources/unified-workflow.job.yml`. */
  path: string;
  doc: Record<string, unknown>;
}

const RESOURCE_DIR = 'resources';

/** A bundle-relative path as seen from a resource file (paths in bundle YAML are relative to their file). */
function fromResourceFile(bundlePath: string): string {
  return posix.relative(RESOURCE_DIR, bundlePath);
}

/** A target's variables as the CLI reads them: plain values as they are, maps and lists and lookups in full form. */
function targetVariables(target: TargetModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target.variables)) out[name] = typeof value === 'object' ? { default: value } : value;
  for (const [name, lookup] of Object.entries(target.lookups ?? {})) out[name] = { lookup };
  return out;
}

function targetConfig(target: TargetModel, isDefault: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...structuredClone(target.settings ?? {}) };
  if (target.mode) out['mode'] = target.mode;
  if (isDefault) out['default'] = true;
  const workspace = { ...target.workspace };
  if (Object.keys(workspace).length > 0) out['workspace'] = workspace;
  const variables = targetVariables(target);
  if (Object.keys(variables).length > 0) out['variables'] = variables;
  return out;
}

/** The targets databricks.yml declares: every non-local target (the Databricks CLI has no local engine). */
function workspaceTargets(model: BundleModel): Record<string, Record<string, unknown>> {
  const remote = Object.values(model.targets).filter((t) => !t.local);
  const explicitDefault = remote.find((t) => t.default);
  const fallbackDefault = explicitDefault ?? remote.find((t) => t.mode === 'development') ?? remote[0];
  const out: Record<string, Record<string, unknown>> = {};
  for (const t of remote) out[t.name] = targetConfig(t, t === fallbackDefault);
  return out;
}

/** A resource's settings as its file in resources/ writes them: local paths relative to that file. */
function resourceConfig(type: string, settings: Record<string, unknown>): Record<string, unknown> {
  return mapResourcePaths(type, settings, fromResourceFile);
}

/** The configuration Bundle.verbatim gives, in one file at the bundle root (so its paths need no rebasing). */
const VERBATIM_FILE = 'verbatim.yml';

export function configFiles(model: BundleModel): ConfigFile[] {
  const variables: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(model.variables)) variables[name] = { ...v };
  const { bundle: bundleSettings, ...rootSettings } = (model.settings ?? {}) as Record<string, unknown>;
  const verbatim = (model.verbatim ?? []).reduce<unknown>((all, fragment) => mergeValues(all, fragment), {}) as Record<string, unknown>;
  const hasVerbatim = Object.keys(verbatim).length > 0;
  const files: ConfigFile[] = [
    {
      path: 'databricks.yml',
      doc: {
        ...structuredClone(rootSettings),
        bundle: { ...(bundleSettings as Record<string, unknown> | undefined), name: model.bundle.name },
        include: [`${RESOURCE_DIR}/*.yml`, ...(hasVerbatim ? [VERBATIM_FILE] : [])],
        ...(Object.keys(variables).length > 0 ? { variables } : {}),
        targets: workspaceTargets(model),
      },
    },
  ];
  if (hasVerbatim) files.push({ path: VERBATIM_FILE, doc: verbatim });
  const add = (kind: string, suffix: string, key: string, body: Record<string, unknown>) =>
    files.push({ path: `${RESOURCE_DIR}/${key}.${suffix}.yml`, doc: { resources: { [kind]: { [key]: body } } } });

  for (const [key, c] of Object.entries(model.resources.catalogs)) add('catalogs', 'catalog', key, { ...c.settings });
  for (const [key, s] of Object.entries(model.resources.schemas)) add('schemas', 'schema', key, { ...s.settings });
  for (const [key, v] of Object.entries(model.resources.volumes)) add('volumes', 'volume', key, { ...v.settings });
  for (const [key, scope] of Object.entries(model.resources.secret_scopes)) add('secret_scopes', 'secret_scope', key, { ...scope.settings });
  for (const [key, p] of Object.entries(model.resources.pipelines)) {
    const generated = p.source_path === undefined ? [] : [{ file: { path: p.source_path } }];
    const { libraries: given, ...settings } = p.settings;
    const libraries = [...(given ?? []), ...generated];
    add('pipelines', 'pipeline', key, resourceConfig('pipelines', { ...settings, ...(libraries.length > 0 ? { libraries } : {}) }));
  }
  for (const [key, d] of Object.entries(model.resources.dashboards)) {
    add('dashboards', 'dashboard', key, resourceConfig('dashboards', { ...d.settings, file_path: d.file_path }));
  }
  for (const [key, j] of Object.entries(model.resources.jobs)) add('jobs', 'job', key, resourceConfig('jobs', j.settings));
  for (const type of ALL_RESOURCE_TYPES) {
    if (!isGenericResourceType(type)) continue;
    for (const [key, r] of Object.entries(model.resources[type] ?? {})) add(type, RESOURCE_TYPES[type], key, resourceConfig(type, r.settings));
  }
  return files.map((f) => ({ path: f.path, doc: canonical(f.doc) as Record<string, unknown> }));
}

/** All config files merged into one document, as the Databricks CLI sees the bundle (for schema validation). */
export function mergedConfig(files: ConfigFile[]): Record<string, unknown> {
  return mergeAll(files.map((f) => f.doc)) as Record<string, unknown>;
}

/** Where in the output a config path lives: `resources.jobs.x...` → `resources/x.job.yml`. */
export function configFileFor(files: ConfigFile[], configPath: string): string | undefined {
  const m = /^resources\.(\w+)\.([^.[]+)/.exec(configPath);
  if (!m) return 'databricks.yml';
  return files.find((f) => {
    const kinds = f.doc['resources'] as Record<string, Record<string, unknown>> | undefined;
    return kinds?.[m[1]!]?.[m[2]!] !== undefined;
  })?.path;
}
