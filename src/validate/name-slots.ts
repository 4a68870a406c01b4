// Every slot where a name or a text of the bundle reaches generated YAML, Python, SQL, JSON or a path, with the
// rule (validate/names.ts) that decides whether it may go there. A value that passes is placed safely by synth's
// escaping; one that does not is reported here, with the line of the definition, before anything is generated.
// Task keys, table and column names, secret names and Unity Catalog names have their own checks (tasks.ts,
// tables.ts, secrets.ts, catalog-objects.ts); this file covers the rest.
import type { BundleModel } from '../model/types.ts';
import { childPath } from './config-path.ts';
import type { Reporter } from './locate.ts';
import {
  configTextProblem,
  controlCharacterProblem,
  displayNameProblem,
  expectationNameProblem,
  jobParameterNameProblem,
  NAME_RULES,
  pathSegmentProblem,
  resourceKeyProblem,
  substitutedTextProblem,
  variableNameProblem,
  widgetNameProblem,
} from './names.ts';
import { walkStrings } from './walk.ts';

/** The file each resource kind is written to: `resources/<key>.<suffix>`. */
const RESOURCE_FILE_SUFFIX: Record<string, string> = {
  jobs: '.job.yml',
  pipelines: '.pipeline.yml',
  secret_scopes: '.secret_scope.yml',
  dashboards: '.dashboard.yml',
  catalogs: '.catalog.yml',
  schemas: '.schema.yml',
  volumes: '.volume.yml',
};

type Check = (value: string) => string | undefined;

function check(out: Reporter, path: string, what: string, value: string | undefined, ...rules: Check[]): void {
  // An absent optional name (a job or pipeline without one, as an imported YAML bundle may have) has nothing to check.
  if (value === undefined) return;
  for (const rule of rules) {
    const problem = rule(value);
    if (problem) {
      out.report('error', path, `${what} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)} ${problem}.`);
      return;
    }
  }
}

const noSubstitution: Check = (v) => (v.includes('${') ? 'contains "${", which the Databricks CLI would substitute' : undefined);
const text: Check = (v) => controlCharacterProblem(v, { allowLineBreaks: true });

/** The bundle, its targets and variables: folder names of the bundle root and keys of databricks.yml. */
function checkBundle(model: BundleModel, out: Reporter): void {
  check(out, 'bundle.name', 'Bundle name', model.bundle.name, (v) => pathSegmentProblem(v), noSubstitution);
  for (const name of Object.keys(model.targets)) check(out, childPath('targets', name), 'Target name', name, (v) => pathSegmentProblem(v), noSubstitution);
  for (const name of Object.keys(model.variables)) check(out, childPath('variables', name), 'Variable name', name, variableNameProblem);
}

/** Resource keys (referred to as ${resources...}, and file names) and the names the workspace shows. */
function checkResources(model: BundleModel, out: Reporter): void {
  for (const [kind, entries] of Object.entries(model.resources) as [string, Record<string, unknown>][]) {
    for (const key of Object.keys(entries)) {
      check(out, `resources.${kind}.${key}`, `The key of ${kind}`, key, resourceKeyProblem, (v) => pathSegmentProblem(v, RESOURCE_FILE_SUFFIX[kind] ?? '.yml'));
    }
  }
  for (const [key, job] of Object.entries(model.resources.jobs)) {
    const base = `resources.jobs.${key}`;
    check(out, `${base}.name`, 'Job name', job.settings.name, (v) => displayNameProblem(v, NAME_RULES.jobNameMaxBytes));
    const parameters = Array.isArray(job.settings['parameters']) ? (job.settings['parameters'] as { name?: unknown }[]) : [];
    parameters.forEach((p, i) => {
      check(out, `${base}.parameters[${i}].name`, `Parameter name of job "${key}"`, typeof p.name === 'string' ? p.name : '', jobParameterNameProblem);
    });
  }
  for (const [key, p] of Object.entries(model.resources.pipelines)) check(out, `resources.pipelines.${key}.name`, 'Pipeline name', p.settings.name, (v) => displayNameProblem(v));
  for (const [key, d] of Object.entries(model.resources.dashboards)) {
    // Lakeview stores the dashboard as <parent>/<display_name>.lvdash.json.
    check(out, `resources.dashboards.${key}.display_name`, 'Dashboard name', d.settings.display_name, (v) => displayNameProblem(v), (v) => pathSegmentProblem(v, '.lvdash.json'));
  }
  for (const key of Object.keys(model.notebooks)) check(out, `notebooks.${key}`, 'Notebook id', key, (v) => pathSegmentProblem(v, '.py'));
}

/** Text that reaches pipeline SQL and spark.sql, where Databricks substitutes ${...} before parsing. */
function checkTableTexts(model: BundleModel, out: Reporter): void {
  const placed = [
    ...Object.entries(model.resources.pipelines).flatMap(([key, p]) => p.tables.map((t, i) => ({ t, path: `resources.pipelines.${key}.tables[${i}]` }))),
    ...Object.entries(model.notebooks).flatMap(([key, nb]) => nb.tables.map((t, i) => ({ t, path: `notebooks.${key}.tables[${i}]` }))),
  ];
  for (const { t, path } of placed) {
    const report = (at: string, what: string, value: string, rule: Check) => {
      const problem = rule(value);
      if (problem) out.report('error', `${path}.${at}`, `${what} of table "${t.name}" ${problem}.`, t.location);
    };
    if (t.comment !== undefined) report('comment', 'The comment', t.comment, substitutedTextProblem);
    (t.columns ?? []).forEach((c, i) => {
      if (c.comment !== undefined) report(`columns[${i}].comment`, `The comment of column "${c.name}"`, c.comment, substitutedTextProblem);
    });
    t.expectations.forEach((e, i) => report(`expectations[${i}].name`, `Expectation name "${e.name}"`, e.name, expectationNameProblem));
    if (t.source?.type === 'files') {
      for (const [k, v] of Object.entries(t.source.options ?? {})) {
        report(`source.options.${k}`, `Auto Loader option "${k}"`, k, substitutedTextProblem);
        report(`source.options.${k}`, `The value of Auto Loader option "${k}"`, v, substitutedTextProblem);
      }
    }
  }
}

/**
 * Every string of the bundle YAML (resource settings, notebook widgets as base_parameters, targets, variable
 * defaults): no control characters other than line breaks and tabs, and `${` only as a bundle reference.
 */
function checkConfigStrings(model: BundleModel, out: Reporter): void {
  const trees: { path: string; value: unknown }[] = [];
  for (const [kind, entries] of Object.entries(model.resources) as [string, Record<string, { settings: unknown }>][]) {
    for (const [key, r] of Object.entries(entries)) trees.push({ path: `resources.${kind}.${key}`, value: r.settings });
  }
  for (const [name, target] of Object.entries(model.targets)) trees.push({ path: childPath('targets', name), value: { workspace: target.workspace, variables: target.variables } });
  for (const [name, v] of Object.entries(model.variables)) trees.push({ path: childPath(childPath('variables', name), 'default'), value: v.default });
  // Names checked above say it once, with their own rule.
  const named = new Set([
    ...Object.keys(model.resources.jobs).map((k) => `resources.jobs.${k}.name`),
    ...Object.keys(model.resources.pipelines).map((k) => `resources.pipelines.${k}.name`),
    ...Object.keys(model.resources.dashboards).map((k) => `resources.dashboards.${k}.display_name`),
  ]);
  for (const tree of trees) {
    walkStrings(tree.value, tree.path, (value, path) => {
      if (!named.has(path)) check(out, path, 'The value', value, text, configTextProblem);
    });
  }
  for (const [id, nb] of Object.entries(model.notebooks)) {
    for (const [name, value] of Object.entries(nb.widgets)) {
      const path = `notebooks.${id}.widgets.${name}`;
      check(out, path, `Widget name of notebook "${id}"`, name, widgetNameProblem);
      check(out, path, `The value of widget "${name}" of notebook "${id}"`, value, text, configTextProblem);
    }
  }
}

/**
 * Values for notebook templates: helpers escape them for Python, but markdown (`md`) places text as is in
 * comment lines, where a NUL or another control character breaks the file: refused, as are lone surrogates.
 */
function checkTemplateValues(model: BundleModel, out: Reporter): void {
  for (const [id, nb] of Object.entries(model.notebooks)) {
    walkStrings(nb.parameters, `notebooks.${id}.parameters`, (value, path) => check(out, path, `A parameter of notebook "${id}"`, value, text));
  }
}

export function checkNameSlots(model: BundleModel, out: Reporter): void {
  checkTemplateValues(model, out);
  checkBundle(model, out);
  checkResources(model, out);
  checkTableTexts(model, out);
  checkConfigStrings(model, out);
}
