// What the bundle wants deployed, as API-shaped settings per resource: the model with variables resolved,
// development presets applied, bundle paths mapped to workspace paths, and the synthesized files attached.
import { TABLES_RUNTIME_PATH } from '../synth/notebooks.ts';
import { UserError } from '../errors/index.ts';
import { notebookLanguageOf } from '../model/notebook-files.ts';
import { mapResourcePaths } from '../model/path-fields.ts';
import { ALL_RESOURCE_TYPES, isGenericResourceType, type GenericResourceType } from '../model/resource-types.ts';
import { resolveFieldReferences } from '../model/references.ts';
import type { BundleModel, JobSettings } from '../model/types.ts';
import { verbatimResources } from '../model/verbatim.ts';
import type { SynthFile } from '../synth/index.ts';
import { interpolate, resourceReferences, type InterpolationContext, type VariableValue } from './interpolate.ts';
import { BUNDLE_TAG, KEY_TAG } from './identity.ts';
import { schemaPrefix } from '../model/namespace.ts';
import type { Grant } from '../constructs/grants.ts';
import { grantsResource, normalizeGrants, type GrantKind } from './grants.ts';
import { objectAcl, PERMISSION_KINDS, permissionsResource, type PermissionKind, type PermissionSetting } from './permissions.ts';
import { applyPresets } from './presets.ts';
import { addressOf, CATALOG_KINDS, RESOURCE_KINDS, type Address, type BundlePaths, type CurrentUser, type DesiredResource, type ExternalItem, type ResourceKind } from './types.ts';

export { BUNDLE_TAG, KEY_TAG } from './identity.ts';

export interface DesiredInput {
  model: BundleModel;
  /** synthBundle's output for the same model. */
  files: SynthFile[];
  variables: Record<string, VariableValue>;
  user: CurrentUser;
  paths: BundlePaths;
}

export function interpolationContext(input: Omit<DesiredInput, 'files'>): InterpolationContext {
  return {
    variables: input.variables,
    bundle: { name: input.model.bundle.name, target: input.model.target.name },
    workspace: {
      current_user: { userName: input.user.userName, short_name: input.user.shortName },
      root_path: input.paths.root,
      file_path: input.paths.files,
      state_path: input.paths.state,
      resource_path: input.paths.resources,
    },
  };
}

/** What goes before the bundle's schema names on the model's target, for the user deploying. */
export function targetSchemaPrefix(model: BundleModel, shortName: string): string {
  const section = (value: unknown) => (value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined);
  const presets = section(model.target.settings?.['presets']) ?? section(model.settings?.['presets']);
  const experimental = section(model.target.settings?.['experimental']) ?? section(model.settings?.['experimental']);
  return schemaPrefix({
    mode: model.target.mode,
    shortName,
    local: model.target.local,
    ...(presets ? { presets } : {}),
    ...(experimental ? { experimental } : {}),
  });
}

/** The value of the BUNDLE_TAG tag: one bundle deployed to one target. */
export function bundleTagValue(model: BundleModel): string {
  return `${model.bundle.name}.${model.target.name}`;
}

const NOTEBOOK_EXTENSIONS = /\.(py|sql|scala|r|ipynb)$/i;

/** Where a bundle-relative file lands; notebooks lose their extension, as in the Databricks CLI. */
export function workspacePath(paths: BundlePaths, bundlePath: string, notebook: boolean): string {
  if (bundlePath.startsWith('/')) return bundlePath;
  const clean = bundlePath.replace(/^\.\//, '');
  return `${paths.files}/${notebook ? clean.replace(NOTEBOOK_EXTENSIONS, '') : clean}`;
}

export function desiredResources(input: DesiredInput): DesiredResource[] {
  const { model, paths } = input;
  const ctx = interpolationContext(input);
  const presets = { mode: model.target.mode, shortName: input.user.shortName, schemaPrefix: targetSchemaPrefix(model, input.user.shortName) };
  const content = new Map(input.files.map((f) => [f.path, f.content]));
  const fileContent = (path: string): string | Uint8Array => {
    const text = content.get(path);
    if (text === undefined) throw new Error(`synth produced no file ${path}`);
    return text;
  };
  const out: DesiredResource[] = [];
  const notebookPaths = new Set<string>();

  for (const nb of Object.values(model.notebooks)) {
    notebookPaths.add(nb.path);
    out.push({
      address: addressOf('files', nb.path),
      kind: 'files',
      key: nb.path,
      settings: { path: workspacePath(paths, nb.path, true), object_type: 'NOTEBOOK', language: nb.language },
      dependsOn: [],
      payload: fileContent(nb.path),
    });
  }
  for (const p of Object.values(model.resources.pipelines)) {
    if (p.source_path === undefined) continue;
    out.push({
      address: addressOf('files', p.source_path),
      kind: 'files',
      key: p.source_path,
      settings: { path: workspacePath(paths, p.source_path, false), object_type: 'FILE' },
      dependsOn: [],
      payload: fileContent(p.source_path),
    });
  }

  // The user's own files that resources name: uploaded under the bundle's files folder, notebooks as notebooks.
  for (const f of input.files) {
    if (!f.source) continue;
    const notebook = typeof f.content === 'string' ? notebookLanguageOf(f.path, f.content) : undefined;
    out.push({
      address: addressOf('files', f.path),
      kind: 'files',
      key: f.path,
      settings: notebook ? { path: workspacePath(paths, f.path, true), object_type: 'NOTEBOOK', language: notebook } : { path: workspacePath(paths, f.path, false), object_type: 'FILE' },
      dependsOn: [],
      payload: f.content,
    });
  }
  const uploaded = new Set([...notebookPaths, ...input.files.filter((f) => f.source).map((f) => f.path)]);
  // The table runtime the notebooks import: a plain workspace file, uploaded before the notebooks run.
  const runtime = input.files.find((f) => f.path === TABLES_RUNTIME_PATH);
  if (runtime) {
    out.push({
      address: addressOf('files', runtime.path),
      kind: 'files',
      key: runtime.path,
      settings: { path: workspacePath(paths, runtime.path, false), object_type: 'FILE' },
      dependsOn: [],
      payload: runtime.content,
    });
  }

  const catalogObjects = { catalogs: model.resources.catalogs, schemas: model.resources.schemas, volumes: model.resources.volumes } as const;
  for (const [kind, entries] of Object.entries(catalogObjects) as [ResourceKind, Record<string, { settings: Record<string, unknown> }>][]) {
    for (const [key, resource] of Object.entries(entries)) {
      // Grants are applied apart from the object (the grants API), as the Databricks CLI does.
      const { grants, ...body } = resource.settings;
      const settings = interpolate(applyPresets(kind, body, presets), ctx, `resources.${kind}.${key}`);
      out.push({ address: addressOf(kind, key), kind, key, settings, dependsOn: [] });
      const path = `resources.${kind}.${key}.grants`;
      const list = normalizeGrants(interpolate({ list: (grants as Grant[] | undefined) ?? [] }, ctx, path)['list'] as Grant[], path);
      if (list.length > 0) out.push(grantsResource(kind as GrantKind, key, list));
    }
  }

  for (const [key, scope] of Object.entries(model.resources.secret_scopes)) {
    const s = interpolate(scope.settings, ctx, `resources.secret_scopes.${key}`);
    const settings: Record<string, unknown> = { scope: s.name };
    if (s.backend_type) settings['scope_backend_type'] = s.backend_type;
    if (s.keyvault_metadata) settings['backend_azure_keyvault'] = { ...s.keyvault_metadata };
    out.push({ address: addressOf('secret_scopes', key), kind: 'secret_scopes', key, settings, dependsOn: [] });
  }

  for (const [key, p] of Object.entries(model.resources.pipelines)) {
    // Local paths of existing sources become workspace paths, as the CLI translates them; the generated SQL comes last.
    const given = mapResourcePaths('pipelines', { libraries: p.settings.libraries ?? [] }, (path, mode) => workspacePath(paths, path, mode === 'notebook'))['libraries'] as unknown[];
    const generated = p.source_path === undefined ? [] : [{ file: { path: workspacePath(paths, p.source_path, false) } }];
    // Tagged like jobs, so a pipeline is found again by its identity if the deploy state is lost, never by name.
    const tags = { ...((p.settings['tags'] as Record<string, string> | undefined) ?? {}), [BUNDLE_TAG]: bundleTagValue(model), [KEY_TAG]: key };
    const withLibraries: Record<string, unknown> = { ...withoutPermissions(p.settings), tags, libraries: [...given, ...generated] };
    // The bundle's run_as applies to every pipeline that names none too, as in the Databricks CLI.
    const runAs = bundleSection(model, 'run_as');
    if (withLibraries['run_as'] === undefined && runAs) withLibraries['run_as'] = runAs;
    const settings = interpolate(applyPresets('pipelines', withLibraries, presets), ctx, `resources.pipelines.${key}`);
    out.push({ address: addressOf('pipelines', key), kind: 'pipelines', key, settings, dependsOn: p.source_path === undefined ? [] : [addressOf('files', p.source_path)] });
  }

  for (const [key, d] of Object.entries(model.resources.dashboards)) {
    const base: Record<string, unknown> = { parent_path: paths.resources, ...withoutPermissions(d.settings) };
    const settings = interpolate(applyPresets('dashboards', base, presets), ctx, `resources.dashboards.${key}`);
    out.push({ address: addressOf('dashboards', key), kind: 'dashboards', key, settings, dependsOn: [], payload: fileContent(d.file_path) });
  }

  for (const [key, j] of Object.entries(model.resources.jobs)) {
    const fileDeps: Address[] = [];
    // Local paths in tasks (notebooks, Python files, SQL files, ...) become workspace paths, as the CLI translates them.
    const { tasks } = mapResourcePaths('jobs', { tasks: j.settings.tasks }, (path, mode) => {
      if (uploaded.has(path)) fileDeps.push(addressOf('files', path));
      if (mode === 'notebook' && notebookPaths.has(path) && runtime) fileDeps.push(addressOf('files', runtime.path));
      return workspacePath(paths, path, mode === 'notebook');
    }) as { tasks: JobSettings['tasks'] };
    const tagged: JobSettings = { ...(withoutPermissions(j.settings) as JobSettings), tasks };
    // The bundle's run_as applies to every job that names none, as in the Databricks CLI.
    const runAs = bundleSection(model, 'run_as');
    if (tagged['run_as'] === undefined && runAs) tagged['run_as'] = runAs;
    tagged.tags = { ...((j.settings['tags'] as Record<string, string> | undefined) ?? {}), [BUNDLE_TAG]: bundleTagValue(model), [KEY_TAG]: key };
    const settings = interpolate(applyPresets('jobs', tagged, presets), ctx, `resources.jobs.${key}`);
    out.push({ address: addressOf('jobs', key), kind: 'jobs', key, settings, dependsOn: [...new Set(fileDeps)] });
  }

  for (const kind of NATIVE_GENERIC_KINDS) {
    for (const [key, r] of Object.entries(model.resources[kind] ?? {})) {
      const base = tagged(kind, withoutBundleOnlyFields(r.settings), model, key);
      const settings = interpolate(applyPresets(kind, base, presets), ctx, `resources.${kind}.${key}`);
      out.push({ address: addressOf(kind, key), kind, key, settings, dependsOn: [] });
    }
  }

  out.push(...permissionResources(model, input.user, ctx));
  return resolveFields(addDependencies(out));
}

/** A section the target sets, else the bundle's (`permissions`, `run_as`), as the CLI merges them. */
export function bundleSection(model: BundleModel, name: string): unknown {
  return model.target.settings?.[name] ?? model.settings?.[name];
}

function withoutPermissions(settings: Record<string, unknown>): Record<string, unknown> {
  const { permissions: _permissions, ...rest } = settings;
  return rest;
}

/** One permissions resource per object of a kind in PERMISSION_KINDS the bundle sets permissions for (its own or the bundle's). */
function permissionResources(model: BundleModel, user: CurrentUser, ctx: InterpolationContext): DesiredResource[] {
  const bundle = interpolate({ list: (bundleSection(model, 'permissions') as PermissionSetting[] | undefined) ?? [] }, ctx, 'permissions')['list'] as PermissionSetting[];
  const out: DesiredResource[] = [];
  for (const kind of Object.keys(PERMISSION_KINDS) as PermissionKind[]) {
    for (const [key, r] of Object.entries((model.resources[kind] ?? {}) as Record<string, { settings: Record<string, unknown> }>)) {
      const own = interpolate({ list: (r.settings['permissions'] as PermissionSetting[] | undefined) ?? [] }, ctx, `resources.${kind}.${key}.permissions`)['list'] as PermissionSetting[];
      const acl = objectAcl(kind, key, own, bundle, user);
      if (acl) out.push(permissionsResource(kind, key, acl));
    }
  }
  return out;
}

/** Generic resource types with an adapter: deployed over REST like the hand-written kinds. */
export const NATIVE_GENERIC_KINDS = ['clusters', 'experiments', 'registered_models', 'model_serving_endpoints'] as const satisfies readonly (ResourceKind & GenericResourceType)[];

/** Fields of the bundle format that are not part of the resource's API settings. */
const BUNDLE_ONLY_FIELDS = ['permissions', 'grants', 'lifecycle'];

function withoutBundleOnlyFields(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([k]) => !BUNDLE_ONLY_FIELDS.includes(k)));
}

/** The bundle's tags on kinds that carry tags, so a resource whose create answer was lost is found again. */
function tagged(kind: (typeof NATIVE_GENERIC_KINDS)[number], settings: Record<string, unknown>, model: BundleModel, key: string): Record<string, unknown> {
  const ours = { [BUNDLE_TAG]: bundleTagValue(model), [KEY_TAG]: key };
  switch (kind) {
    case 'clusters':
      return { ...settings, custom_tags: { ...((settings['custom_tags'] as Record<string, string> | undefined) ?? {}), ...ours } };
    case 'experiments':
    case 'model_serving_endpoints': {
      const tags = ((settings['tags'] as { key?: string }[] | undefined) ?? []).filter((t) => !(t.key !== undefined && t.key in ours));
      return { ...settings, tags: [...tags, ...Object.entries(ours).map(([k, value]) => ({ key: k, value }))] };
    }
    case 'registered_models':
      // Unity Catalog models have no tags in this API; only the fields registered-models/create accepts.
      return Object.fromEntries(Object.entries(settings).filter(([k]) => ['name', 'catalog_name', 'schema_name', 'comment', 'storage_location'].includes(k)));
  }
}

/** Resources without a dbx-ts adapter, and settings of deployed resources that dbx-ts does not apply. */
export function externalItems(model: BundleModel): ExternalItem[] {
  const items: ExternalItem[] = verbatimResources(model).map(({ type, key }) => ({
    path: `resources.${type}.${key}`,
    reason: 'declared verbatim (app.verbatim); it is built into the bundle: deploy it with the Databricks CLI (databricks bundle deploy in the built bundle)',
  }));
  const native = new Set<string>(NATIVE_GENERIC_KINDS);
  for (const type of ALL_RESOURCE_TYPES) {
    if (!isGenericResourceType(type)) continue;
    for (const [key, r] of Object.entries(model.resources[type] ?? {})) {
      const path = `resources.${type}.${key}`;
      if (!native.has(type)) {
        items.push({ path, reason: `dbx-ts has no adapter for ${type}; it is built into the bundle: deploy it with the Databricks CLI (databricks bundle deploy in the built bundle)` });
        continue;
      }
      for (const field of BUNDLE_ONLY_FIELDS) {
        if (field === 'permissions' && type in PERMISSION_KINDS) continue;
        if (r.settings[field] !== undefined) items.push({ path: `${path}.${field}`, reason: `not applied by dbx-ts deploy: deploy the built bundle with the Databricks CLI to apply ${field}` });
      }
    }
  }
  return items;
}

/**
 * Adds every `${resources.<kind>.<key>.<field>}` as a dependency (a reference to nothing is the user's error),
 * and makes pipelines, dashboards, jobs and the rest wait for the catalogs, schemas and volumes data lives in.
 */
function addDependencies(resources: DesiredResource[]): DesiredResource[] {
  const known = new Set(resources.map((r) => r.address));
  const catalogObjects = resources.filter((r) => CATALOG_KINDS.includes(r.kind)).map((r) => r.address);
  for (const r of resources) {
    for (const ref of resourceReferences(r.settings)) {
      const target = `${ref.kind}.${ref.key}`;
      if (!RESOURCE_KINDS.includes(ref.kind as ResourceKind) || !known.has(target)) {
        const why = isGenericResourceType(ref.kind) && !known.has(target)
          ? `which dbx-ts does not deploy (deploy the built bundle with the Databricks CLI instead)`
          : 'which is not a resource of this bundle';
        throw new UserError(`${r.address} refers to \${resources.${ref.kind}.${ref.key}.${ref.field}}, ${why}`);
      }
      if (!r.dependsOn.includes(target)) r.dependsOn.push(target);
    }
    if (!CATALOG_KINDS.includes(r.kind) && r.kind !== 'files' && r.kind !== 'secret_scopes') {
      for (const address of catalogObjects) if (!r.dependsOn.includes(address)) r.dependsOn.push(address);
    }
  }
  return resources;
}

/** Replaces references to other resources' fields (`${resources.schemas.landing.name}`) with their values. */
function resolveFields(resources: DesiredResource[]): DesiredResource[] {
  const resolved = resolveFieldReferences(resources);
  for (const r of resolved) {
    const left = resourceReferences(r.settings).find((ref) => ref.field !== 'id');
    if (left) {
      throw new UserError(`${r.address} refers to \${resources.${left.kind}.${left.key}.${left.field}}, a field that resource does not set`);
    }
  }
  return resolved;
}
