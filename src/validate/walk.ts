// Visits every string in plain data with its config path (for `${...}` and `{{secrets/...}}` references).
import { ALL_RESOURCE_TYPES, isGenericResourceType } from '../model/resource-types.ts';
import type { BundleModel, TableModel } from '../model/types.ts';
import { childPath } from './config-path.ts';

export function walkStrings(value: unknown, path: string, visit: (text: string, path: string) => void): void {
  if (typeof value === 'string') {
    visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walkStrings(item, `${path}[${i}]`, visit));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walkStrings(item, childPath(path, key), visit);
  }
}

/** The model's parts that hold user values, each with the config path it lives under. */
export function modelTrees(model: BundleModel): { path: string; value: unknown }[] {
  const trees: { path: string; value: unknown }[] = [];
  const { jobs, pipelines, secret_scopes, dashboards, catalogs, schemas, volumes } = model.resources;
  for (const [kind, entries] of Object.entries({ catalogs, schemas, volumes })) {
    for (const [key, r] of Object.entries(entries)) trees.push({ path: `resources.${kind}.${key}`, value: r.settings });
  }
  for (const [key, job] of Object.entries(jobs)) trees.push({ path: `resources.jobs.${key}`, value: job.settings });
  for (const [key, p] of Object.entries(pipelines)) {
    trees.push({ path: `resources.pipelines.${key}`, value: p.settings });
    trees.push({ path: `resources.pipelines.${key}.tables`, value: p.tables.map(withoutLocation) });
  }
  for (const [key, s] of Object.entries(secret_scopes)) trees.push({ path: `resources.secret_scopes.${key}`, value: s.settings });
  for (const [key, d] of Object.entries(dashboards)) {
    trees.push({ path: `resources.dashboards.${key}`, value: d.settings });
    trees.push({ path: `resources.dashboards.${key}.datasets`, value: d.datasets });
  }
  for (const type of ALL_RESOURCE_TYPES) {
    if (!isGenericResourceType(type)) continue;
    for (const [key, r] of Object.entries(model.resources[type] ?? {})) trees.push({ path: `resources.${type}.${key}`, value: r.settings });
  }
  for (const [key, nb] of Object.entries(model.notebooks)) {
    trees.push({ path: `notebooks.${key}.parameters`, value: nb.parameters });
    trees.push({ path: `notebooks.${key}.widgets`, value: nb.widgets });
    trees.push({ path: `notebooks.${key}.tables`, value: nb.tables.map(withoutLocation) });
  }
  for (const [name, target] of Object.entries(model.targets)) {
    trees.push({ path: childPath('targets', name), value: { workspace: target.workspace, variables: target.variables } });
  }
  for (const [name, v] of Object.entries(model.variables)) trees.push({ path: childPath(childPath('variables', name), 'default'), value: v.default });
  return trees;
}

function withoutLocation(table: TableModel): Omit<TableModel, 'location'> {
  const { location: _location, ...rest } = table;
  return rest;
}
