// Job parameters and notebook widget values on the local target, with the Jobs API's semantics: a run's job
// parameters are the job's declared parameters (defaults, overridden by `--param`; an undeclared name is refused,
// as run-now refuses it), and they are pushed down to notebook tasks, overriding base_parameters of the same
// name, which override the notebook's widget defaults.
import { UserError } from '../errors/index.ts';
import type { JobSettings, NotebookModel, TaskSettings, VariableValue } from '../model/types.ts';

export type VariableValues = Readonly<Record<string, VariableValue>>;

/** A variable's value as text: complex values (lists, maps) as JSON. */
function variableText(value: VariableValue): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `${var.<name>}` with the variable's value, `{{job.parameters.<name>}}` with the job parameter's. */
export function resolveReferences(text: string, variables: VariableValues, jobParameters: Readonly<Record<string, string>> = {}): string {
  return text
    .replace(/\$\{var\.([A-Za-z0-9_-]+)\}/g, (whole, name: string) => (variables[name] !== undefined ? variableText(variables[name]) : whole))
    .replace(/\{\{\s*job\.parameters\.([A-Za-z0-9_-]+)\s*\}\}/g, (whole, name: string) => jobParameters[name] ?? whole);
}

/** The run's job parameters: every declared parameter with its default or the given value. */
export function jobParameterValues(jobKey: string, job: JobSettings, given: Readonly<Record<string, string>>, variables: VariableValues): Record<string, string> {
  const declared = Array.isArray(job['parameters']) ? (job['parameters'] as { name?: unknown; default?: unknown }[]) : [];
  const names = declared.map((p) => String(p.name));
  const unknown = Object.keys(given).filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw new UserError(
      `--param ${unknown.join(', ')}: job "${jobKey}" has no such parameter${unknown.length > 1 ? 's' : ''}.`,
      names.length > 0 ? `Its parameters: ${names.join(', ')}.` : `Declare job parameters with parameters: [{ name: '${unknown[0]}', default: '...' }] on the job.`,
    );
  }
  const values: Record<string, string> = {};
  for (const p of declared) {
    const name = String(p.name);
    values[name] = given[name] ?? resolveReferences(String(p.default ?? ''), variables);
  }
  return values;
}

/** A notebook task's widget values for this run. */
export function notebookWidgetValues(
  nb: NotebookModel,
  task: TaskSettings,
  jobParameters: Readonly<Record<string, string>>,
  variables: VariableValues,
): Record<string, string> {
  const base = ((task['notebook_task'] as { base_parameters?: Record<string, unknown> } | undefined)?.base_parameters ?? {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...nb.widgets, ...base })) values[name] = resolveReferences(String(value), variables, jobParameters);
  return { ...values, ...jobParameters };
}

/**
 * The notebook's tables with `${<widget>}` filled in with the run's widget values, for the notebook's declared
 * widgets, as the generated notebook's table runtime does; `${catalog}` is left to the engine.
 */
export function bindWidgetValues<T>(tables: T, nb: NotebookModel, widgets: Readonly<Record<string, string>>): T {
  const values = Object.fromEntries(Object.keys(nb.widgets).filter((name) => widgets[name] !== undefined).map((name) => [name, widgets[name]!]));
  return fillPlaceholders(tables, values);
}

/**
 * A pipeline's tables with `${<key>}` filled in from its configuration (`${var.x}` in a value resolved), as a
 * pipeline substitutes its configuration into its source; `${catalog}` is left to the engine.
 */
export function bindConfiguration<T>(tables: T, configuration: unknown, variables: VariableValues): T {
  const entries = configuration && typeof configuration === 'object' ? Object.entries(configuration as Record<string, unknown>) : [];
  return fillPlaceholders(tables, Object.fromEntries(entries.map(([key, value]) => [key, resolveReferences(String(value), variables)])));
}

/** Every `${name}` (other than `${catalog}`) in the strings of `value` replaced by its value. */
function fillPlaceholders<T>(value: T, values: Readonly<Record<string, string>>): T {
  const names = Object.keys(values).filter((name) => name !== 'catalog');
  if (names.length === 0) return value;
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') return names.reduce((text, name) => text.replaceAll(`\${${name}}`, values[name]!), v);
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(value) as T;
}
