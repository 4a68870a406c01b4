// `${...}` references in resource settings, resolved the way the Databricks CLI resolves them:
// variables (--var > BUNDLE_VAR_x > target override > default), bundle and workspace values, and
// `${resources.<kind>.<key>.id}` once the referenced resource exists (other resource fields are resolved from
// the settings, see model/references.ts). Other `${...}` (DLT and Spark
// placeholders such as `${catalog}`) are left alone.
import { UserError } from '../errors/index.ts';
import type { BundleModel } from '../model/types.ts';
import { missingVariableHint, variableValues, type VariableSources, type VariableValue } from '../model/variables.ts';
import { toInt64 } from '../workspace/json.ts';

export type { VariableSources, VariableValue } from '../model/variables.ts';

/** Every declared variable's value for the model's target; all missing ones are reported together. */
export function resolveVariables(model: BundleModel, sources: VariableSources = {}): Record<string, VariableValue> {
  const { values, missing, unknownFlags } = variableValues(model, sources);
  if (unknownFlags.length > 0) {
    throw new UserError(
      `--var names ${unknownFlags.map((n) => `"${n}"`).join(', ')}, which the bundle does not declare`,
      `Declared variables: ${Object.keys(model.variables).join(', ') || 'none'}.`,
    );
  }
  if (missing.length > 0) {
    const lines = missing.map((name) => {
      const description = model.variables[name]?.description;
      return `  ${name}${description ? ` (${description})` : ''}`;
    });
    throw new UserError(
      `No value for variable${missing.length === 1 ? '' : 's'} ${missing.map((n) => `"${n}"`).join(', ')} on target ${model.target.name}:\n${lines.join('\n')}`,
      missingVariableHint(missing, model.target.name),
    );
  }
  return values;
}

export interface InterpolationContext {
  variables: Record<string, VariableValue>;
  bundle: { name: string; target: string };
  workspace: {
    current_user: { userName: string; short_name: string };
    root_path: string;
    file_path: string;
    state_path: string;
    resource_path: string;
  };
  /**
   * The id of a deployed resource, or undefined when it does not exist yet (the reference is then kept as
   * written, and resolved on a later pass).
   */
  resourceId?: (kind: string, key: string) => string | undefined;
}

const REFERENCE = /\$\{([A-Za-z_][\w-]*(?:\.[\w-]+)*)\}/g;
const BUNDLE_ROOTS = new Set(['var', 'variables', 'bundle', 'workspace', 'resources']);
const MAX_DEPTH = 10;

/** `${resources.<kind>.<key>.<field>}` references in a value (any field, `.id` included). */
export function resourceReferences(value: unknown): { kind: string; key: string; field: string }[] {
  const found: { kind: string; key: string; field: string }[] = [];
  visitStrings(value, (s) => {
    for (const match of s.matchAll(REFERENCE)) {
      const parts = match[1]!.split('.');
      if (parts[0] === 'resources' && parts.length === 4) found.push({ kind: parts[1]!, key: parts[2]!, field: parts[3]! });
    }
  });
  return found;
}

/** True if a string still holds a reference this module resolves (an id not known yet). */
export function hasUnresolvedReference(value: unknown): boolean {
  let found = false;
  visitStrings(value, (s) => {
    for (const match of s.matchAll(REFERENCE)) if (BUNDLE_ROOTS.has(match[1]!.split('.')[0]!)) found = true;
  });
  return found;
}

function visitStrings(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const v of value) visitStrings(v, visit);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) visitStrings(v, visit);
}

/** Resolves references everywhere in `value`; `path` names where the value sits, for error messages. */
export function interpolate<T>(value: T, ctx: InterpolationContext, path = ''): T {
  return walk(value, ctx, path, 0) as T;
}

function walk(value: unknown, ctx: InterpolationContext, path: string, depth: number): unknown {
  if (typeof value === 'string') return interpolateString(value, ctx, path, depth);
  if (Array.isArray(value)) return value.map((v, i) => walk(v, ctx, `${path}[${i}]`, depth));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, ctx, path ? `${path}.${k}` : k, depth);
    return out;
  }
  return value;
}

function interpolateString(text: string, ctx: InterpolationContext, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new UserError(`References at ${path} nest too deeply (a variable may refer to itself)`);
  const whole = /^\$\{([^}]+)\}$/.exec(text);
  if (whole) {
    // A value that is one reference keeps the referenced value's type (a number variable stays a number).
    const resolved = lookup(whole[1]!, ctx, path);
    if (resolved === undefined) return text;
    return typeof resolved === 'string' && resolved.includes('${') ? interpolateString(resolved, ctx, path, depth + 1) : resolved;
  }
  let changed = false;
  const out = text.replace(REFERENCE, (match, ref: string) => {
    const resolved = lookup(ref, ctx, path);
    if (resolved === undefined) return match;
    if (typeof resolved === 'object') throw new UserError(`\${${ref}} at ${path} is a map or list; it can only be a whole value, not part of a string`);
    changed = true;
    return String(resolved);
  });
  return changed && out.includes('${') && out !== text ? interpolateString(out, ctx, path, depth + 1) : out;
}

function unknownReference(ref: string, path: string, hint?: string): UserError {
  return new UserError(`Unknown reference \${${ref}}${path ? ` at ${path}` : ''}`, hint);
}

/** The value of one reference; undefined means "leave it as written". */
function lookup(ref: string, ctx: InterpolationContext, path: string): VariableValue | undefined {
  const parts = ref.split('.');
  const root = parts[0]!;
  if (!BUNDLE_ROOTS.has(root)) return undefined;
  switch (root) {
    case 'var':
    case 'variables': {
      // `${variables.x.value}` is the long form of `${var.x}`.
      const name = root === 'var' && parts.length === 2 ? parts[1] : parts.length === 3 && parts[2] === 'value' ? parts[1] : undefined;
      if (name === undefined || !(name in ctx.variables)) {
        throw unknownReference(ref, path, `Declared variables: ${Object.keys(ctx.variables).join(', ') || 'none'}.`);
      }
      return ctx.variables[name];
    }
    case 'bundle': {
      if (ref === 'bundle.name') return ctx.bundle.name;
      if (ref === 'bundle.target') return ctx.bundle.target;
      throw unknownReference(ref, path, 'Supported: ${bundle.name}, ${bundle.target}.');
    }
    case 'workspace': {
      const ws = ctx.workspace;
      const table: Record<string, string> = {
        'workspace.current_user.userName': ws.current_user.userName,
        'workspace.current_user.user_name': ws.current_user.userName,
        'workspace.current_user.short_name': ws.current_user.short_name,
        'workspace.root_path': ws.root_path,
        'workspace.file_path': ws.file_path,
        'workspace.state_path': ws.state_path,
        'workspace.resource_path': ws.resource_path,
      };
      const value = table[ref];
      if (value === undefined) throw unknownReference(ref, path, `Supported: ${Object.keys(table).map((k) => `\${${k}}`).join(', ')}.`);
      return value;
    }
    default: {
      if (parts.length !== 4) {
        throw unknownReference(ref, path, 'A resource is referred to by one field: ${resources.<kind>.<key>.<field>}, e.g. .id or .name.');
      }
      // Other fields (`.name` of a schema) come from the referenced resource's settings (model/references.ts).
      return parts[3] === 'id' ? ctx.resourceId?.(parts[1]!, parts[2]!) : undefined;
    }
  }
}

/**
 * Replaces `${resources.<kind>.<key>.id}` with ids known so far; unknown ones stay as written. A job id that is
 * the whole value becomes a number, as the API expects int64 ids.
 */
export function resolveResourceIds<T>(value: T, idOf: (kind: string, key: string) => string | undefined): T {
  const replace = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\$\{resources\.([\w-]+)\.([\w-]+)\.id\}$/.exec(v);
      if (whole) {
        const id = idOf(whole[1]!, whole[2]!);
        if (id === undefined) return v;
        return whole[1] === 'jobs' && /^\d+$/.test(id) ? toInt64(id) : id;
      }
      return v.replace(/\$\{resources\.([\w-]+)\.([\w-]+)\.id\}/g, (m, kind: string, key: string) => idOf(kind, key) ?? m);
    }
    if (Array.isArray(v)) return v.map(replace);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    return v;
  };
  return replace(value) as T;
}
