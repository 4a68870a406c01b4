// Dynamic value references ({{job.parameters.x}}, {{tasks.<key>.values.<name>}}, {{input}}, ...) as the Jobs
// service resolves them in task parameters, condition operands and for-each inputs
// (docs.databricks.com/jobs/dynamic-value-references). One resolver for the local runner and the emulator.

/** What a reference can name while a run is going. */
export interface ReferenceContext {
  job?: { id?: string; name?: string; run_id?: string; parameters?: Readonly<Record<string, string>> };
  /** A task of this run: its result so far, its task-run id, and the task values its latest attempt set. */
  task?(key: string): { result_state?: string; run_id?: string; values?: Readonly<Record<string, unknown>> } | undefined;
  /** The current for-each iteration's input. */
  input?: unknown;
  /** The task being resolved (its `{{task.name}}`). */
  taskKey?: string;
}

/** A reference that names something the run does not have. */
export class UnresolvedReferenceError extends Error {
  override readonly name = 'UnresolvedReferenceError';
}

const REFERENCE = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** A value as the service substitutes it: strings as they are, anything else as JSON. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function lookup(path: string, ctx: ReferenceContext): { found: true; value: unknown } | { found: false; why: string } {
  const parts = path.split('.');
  const [head, ...rest] = parts;
  if (head === 'input') {
    if (!('input' in ctx)) return { found: false, why: '{{input}} is only defined inside a for-each task' };
    let value: unknown = ctx.input;
    for (const field of rest) {
      if (value === null || typeof value !== 'object' || !(field in value)) return { found: false, why: `the input has no field "${rest.join('.')}"` };
      value = (value as Record<string, unknown>)[field];
    }
    return { found: true, value };
  }
  if (head === 'job') {
    const job = ctx.job ?? {};
    const [field, ...name] = rest;
    if (field === 'parameters' && name.length > 0) {
      const key = name.join('.');
      const value = job.parameters?.[key];
      return value === undefined ? { found: false, why: `the job has no parameter "${key}"` } : { found: true, value };
    }
    if ((field === 'id' || field === 'name' || field === 'run_id') && rest.length === 1 && job[field] !== undefined) return { found: true, value: job[field] };
    return { found: false, why: `{{${path}}} is not a job reference this run can resolve` };
  }
  if (head === 'task' && rest.length === 1 && rest[0] === 'name' && ctx.taskKey !== undefined) return { found: true, value: ctx.taskKey };
  if (head === 'tasks' && rest.length >= 2) {
    const [key, field, ...name] = rest as [string, string, ...string[]];
    const task = ctx.task?.(key);
    if (!task) return { found: false, why: `the run has no task "${key}" that has ended` };
    if (field === 'values' && name.length > 0) {
      const value = task.values?.[name.join('.')];
      return value === undefined ? { found: false, why: `task "${key}" set no task value "${name.join('.')}"` } : { found: true, value };
    }
    if ((field === 'result_state' || field === 'run_id') && name.length === 0 && task[field] !== undefined) return { found: true, value: task[field] };
    return { found: false, why: `{{${path}}} is not a task reference this run can resolve` };
  }
  return { found: false, why: `{{${path}}} is not a dynamic value reference this run can resolve` };
}

/**
 * `text` with its references replaced. `strict`: a reference that cannot be resolved is an error (a condition's
 * operands, a for-each's inputs); otherwise it is left as written for a later stage to resolve.
 */
export function resolveReferences(value: string, ctx: ReferenceContext, strict = false): string {
  return value.replace(REFERENCE, (whole, path: string) => {
    const found = lookup(path, ctx);
    if (found.found) return text(found.value);
    if (strict) throw new UnresolvedReferenceError(`Cannot resolve ${whole}: ${found.why}.`);
    return whole;
  });
}

/** Every string in `value` (a task's settings) with its references resolved, non-strictly. */
export function resolveDeep<T>(value: T, ctx: ReferenceContext): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return resolveReferences(v, ctx);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
