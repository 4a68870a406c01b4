// Resource-level checks: names Databricks needs unique (scopes, pipelines; jobs only warned about), secret scope settings, and dashboards whose widgets
// refer to datasets they do not have.
import type { BundleModel, DashboardModel } from '../model/types.ts';
import type { Reporter } from './locate.ts';
import { isInterpolated, secretNameProblem } from './names.ts';

/** Lakeview lays widgets out on a grid this many columns wide. */
const DASHBOARD_GRID_COLUMNS = 6;

/** Names used by more than one resource, with the keys of those resources. */
function duplicates(items: [key: string, name: string][]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const [key, name] of items) byName.set(name, [...(byName.get(name) ?? []), key]);
  return new Map([...byName].filter(([, keys]) => keys.length > 1));
}

function checkSecretScopes(model: BundleModel, out: Reporter): void {
  const scopes = Object.entries(model.resources.secret_scopes);
  for (const [name, keys] of duplicates(scopes.map(([key, s]): [string, string] => [key, s.settings.name]))) {
    for (const key of keys) {
      const others = keys.filter((k) => k !== key).map((k) => `"${k}" at ${out.where(`resources.secret_scopes.${k}`)}`);
      out.report('error', `resources.secret_scopes.${key}.name`, `Secret scope name "${name}" is used by more than one scope (also ${others.join(', ')}); scope names are unique in a workspace.`);
    }
  }
  for (const [key, { settings }] of scopes) {
    const path = `resources.secret_scopes.${key}`;
    const problem = isInterpolated(settings.name) ? undefined : secretNameProblem(settings.name);
    if (problem) out.report('error', `${path}.name`, `Secret scope name "${settings.name}" ${problem}.`);
    if (settings.backend_type === 'AZURE_KEYVAULT' && !settings.keyvault_metadata) {
      out.report('error', path, `Secret scope "${settings.name}" is backed by Azure Key Vault but has no keyvault_metadata (resource_id and dns_name of the vault).`);
    }
    if (settings.backend_type !== 'AZURE_KEYVAULT' && settings.keyvault_metadata) {
      out.report('warning', `${path}.keyvault_metadata`, `Secret scope "${settings.name}" has keyvault_metadata but backend_type is not AZURE_KEYVAULT; the metadata is ignored.`);
    }
  }
}

function checkJobNames(model: BundleModel, out: Reporter): void {
  const jobs = Object.entries(model.resources.jobs).map(([key, j]): [string, string] => [key, j.settings.name]);
  for (const [name, keys] of duplicates(jobs)) {
    for (const key of keys) {
      const others = keys.filter((k) => k !== key).map((k) => `"${k}"`);
      out.report('warning', `resources.jobs.${key}.name`, `Job name "${name}" is also used by job ${others.join(', ')}; runs and alerts of the two are hard to tell apart.`);
    }
  }
}

/** Pipelines API: deployment fails when a name conflicts with another pipeline's, unless allow_duplicate_names. */
function checkPipelineNames(model: BundleModel, out: Reporter): void {
  const strict = Object.entries(model.resources.pipelines).filter(([, p]) => p.settings['allow_duplicate_names'] !== true);
  for (const [name, keys] of duplicates(strict.map(([key, p]): [string, string] => [key, p.settings.name]))) {
    for (const key of keys) {
      const others = keys.filter((k) => k !== key).map((k) => `"${k}"`);
      out.report('error', `resources.pipelines.${key}.name`, `Pipeline name "${name}" is also used by pipeline ${others.join(', ')}; Databricks rejects the second unless allow_duplicate_names is true.`);
    }
  }
}

function checkDashboard(key: string, dashboard: DashboardModel, out: Reporter): void {
  const base = `resources.dashboards.${key}`;
  const names = dashboard.datasets.map((d) => d.name);
  dashboard.datasets.forEach((d, i) => {
    if (names.indexOf(d.name) !== i) out.report('error', `${base}.datasets[${i}].name`, `Dashboard "${key}" has more than one dataset named "${d.name}".`);
  });
  const widgetNames = dashboard.widgets.map((w) => w.name);
  dashboard.widgets.forEach((w, i) => {
    const path = `${base}.widgets[${i}]`;
    if (widgetNames.indexOf(w.name) !== i) out.report('error', `${path}.name`, `Dashboard "${key}" has more than one widget named "${w.name}".`);
    if (!names.includes(w.dataset)) {
      out.report('error', `${path}.dataset`, `Widget "${w.name}" of dashboard "${key}" uses dataset "${w.dataset}", which the dashboard does not define (datasets: ${names.join(', ') || 'none'}).`);
    }
    const { x, width } = w.position;
    if (x < 0 || width < 1 || x + width > DASHBOARD_GRID_COLUMNS) {
      out.report('error', `${path}.position`, `Widget "${w.name}" of dashboard "${key}" spans columns ${x}..${x + width}, outside the ${DASHBOARD_GRID_COLUMNS}-column grid.`);
    }
  });
}

export function checkResources(model: BundleModel, out: Reporter): void {
  checkSecretScopes(model, out);
  checkJobNames(model, out);
  checkPipelineNames(model, out);
  for (const [key, dashboard] of Object.entries(model.resources.dashboards)) checkDashboard(key, dashboard, out);
}
