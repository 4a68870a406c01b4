// resolve: construct tree → BundleModel for one target, plus every diagnostic found on the way.
import { Bundle } from '../constructs/bundle.ts';
import type { Construct } from '../constructs/construct.ts';
import { Job, type ResolveContext } from '../constructs/job.ts';
import { isModelContributor, type ModelContext } from '../constructs/model-contributor.ts';
import { Notebook } from '../constructs/notebook.ts';
import { UserError } from '../errors/index.ts';
import { collectExtension, emptyExtensions, type Extensions } from '../extensions/registry.ts';
import type { Diagnostic } from '../validate/diagnostic.ts';
import { finishTables } from './tables.ts';
import type { BundleModel, SourceLocation, TargetModel, VariableValue } from './types.ts';

export interface Resolved {
  model: BundleModel;
  diagnostics: Diagnostic[];
  /** The functions the bundle plugs in (local notebook implementations, simulator, result views), kept out of the model. */
  extensions: Extensions;
}

export function targetModels(bundle: Bundle): Record<string, TargetModel> {
  const out: Record<string, TargetModel> = {};
  const rootWorkspace = (bundle.props.settings?.workspace ?? {}) as Record<string, unknown>;
  for (const [name, t] of Object.entries(bundle.props.targets)) {
    const { mode, default: isDefault, local, workspace, variables, warehouse_id, ...settings } = t;
    const target: TargetModel = {
      name,
      local: local ?? false,
      // The target's workspace settings over the bundle's, as the Databricks CLI merges them.
      workspace: { ...structuredClone(rootWorkspace), ...structuredClone(workspace ?? {}) },
      variables: {},
    };
    for (const [v, setting] of Object.entries(variables ?? {})) {
      if (setting !== null && typeof setting === 'object' && 'lookup' in setting) (target.lookups ??= {})[v] = structuredClone(setting.lookup) as Record<string, unknown>;
      else if (setting !== null && typeof setting === 'object' && 'default' in setting) target.variables[v] = structuredClone(setting.default);
      else target.variables[v] = setting;
    }
    if (mode) target.mode = mode;
    if (isDefault) target.default = true;
    if (warehouse_id) target.warehouse_id = warehouse_id;
    if (Object.keys(settings).length > 0) target.settings = structuredClone(settings) as Record<string, unknown>;
    out[name] = target;
  }
  return out;
}

/** The target named, or the bundle's default target. */
export function selectTarget(bundle: Bundle, name?: string): string {
  const names = Object.keys(bundle.props.targets);
  if (name) {
    if (!names.includes(name)) {
      throw new UserError(`Unknown target "${name}".`, `Targets of bundle "${bundle.props.name}": ${names.join(', ')}.`);
    }
    return name;
  }
  const defaults = names.filter((n) => bundle.props.targets[n]?.default);
  if (defaults.length === 1) return defaults[0]!;
  if (names.length === 1) return names[0]!;
  throw new UserError('No target given and no single default target.', `Pass -t with one of: ${names.join(', ')}.`);
}

export function resolve(bundle: Bundle, targetName?: string): Resolved {
  const diagnostics: Diagnostic[] = [];
  const locations: Record<string, SourceLocation> = {};
  const members = new Set<Construct>(bundle.descendants());
  const name = selectTarget(bundle, targetName);
  const targets = targetModels(bundle);
  const ctx: ResolveContext = {
    target: name,
    targets: Object.keys(targets),
    owns: (c) => members.has(c),
    report: (d) => diagnostics.push(d),
    location: (path, loc) => {
      if (loc) locations[path] = loc;
    },
  };
  const target = targets[name]!;
  const variables = structuredClone(bundle.props.variables ?? {}) as BundleModel['variables'];

  for (const use of bundle.variableUses) {
    if (!(use.name in variables)) {
      diagnostics.push({
        severity: 'error',
        message: `Variable "${use.name}" is used but not declared in the bundle's variables.`,
        path: `variables.${use.name}`,
        ...(use.location ? { location: use.location } : {}),
      });
    }
  }

  const model: BundleModel = {
    bundle: { name: bundle.props.name },
    catalog: '',
    target,
    targets,
    variables,
    resources: { jobs: {}, pipelines: {}, secret_scopes: {}, dashboards: {}, catalogs: {}, schemas: {}, volumes: {} },
    notebooks: {},
    locations,
  };
  if (bundle.location) locations['bundle'] = bundle.location;
  if (bundle.props.settings) model.settings = structuredClone(bundle.props.settings) as Record<string, unknown>;
  if (bundle.props.source_root !== undefined) model.source_root = bundle.props.source_root;
  if (bundle.verbatimFragments.length > 0) model.verbatim = bundle.verbatimFragments.map((f) => structuredClone(f.fragment));
  const contributions: ModelContext = {
    target: name,
    targets: Object.keys(targets),
    add: (kind, key, resource, location) => {
      ctx.location(`resources.${kind}.${key}`, location);
      // Generic resource types appear in the model only when declared.
      const ofKind = ((model.resources as Record<string, Record<string, unknown> | undefined>)[kind] ??= {});
      ofKind[key] = resource;
    },
    owns: ctx.owns,
    report: ctx.report,
  };
  const extensions = emptyExtensions();

  for (const c of bundle.descendants()) {
    collectExtension(c, extensions, (d) => diagnostics.push(d));
    if (c instanceof Job) {
      const job = c.toModel(ctx);
      if (c.onTarget(name)) model.resources.jobs[c.id] = job;
    } else if (c instanceof Notebook) {
      ctx.location(`notebooks.${c.id}`, c.location);
      model.notebooks[c.id] = c.toModel();
    } else if (isModelContributor(c)) {
      c.contributeTo(contributions);
    }
  }
  model.catalog = String(variableValue(model, bundle.props.catalog_variable ?? 'catalog') ?? '');
  finishTables(model, bundle.props.catalog_variable ?? 'catalog', bundle.externalTables);
  return { model, diagnostics, extensions };
}

/** A variable's value on the model's target: the target's override, else the default. */
export function variableValue(model: BundleModel, name: string): VariableValue | undefined {
  return model.target.variables[name] ?? model.variables[name]?.default;
}
