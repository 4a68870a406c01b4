// The project loader, called once by every command that works on the bundle: find and load the bundle file,
// resolve it for the target with the variable values of `--var` flags and the environment, check it, and report
// what the checks found. Commands get plain data back and never re-read the project themselves.
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Bundle } from '../constructs/bundle.ts';
import { DiagnosticsError, UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { Extensions } from '../extensions/registry.ts';
import { resolve } from '../model/resolve.ts';
import type { BundleModel } from '../model/types.ts';
import { envWithVarFlags, missingVariableHint, variableValues, withVariableValues } from '../model/variables.ts';
import { errorCount, sortDiagnostics, type Diagnostic } from '../validate/diagnostic.ts';
import { locationOf } from '../validate/locate.ts';
import type { CliContext } from './context.ts';
import { loadBundle } from './load-bundle.ts';
import { reportDiagnostics } from './report-diagnostics.ts';

export interface ProjectRequest {
  target?: string | undefined;
  /** `--var name=value` flags, as given. */
  vars?: readonly string[] | undefined;
  /**
   * `full`: every check validate runs (schema, references, tables, SQL bound by DuckDB); `resolve`: only what
   * resolving finds (commands that read results, where a full check would only cost time).
   */
  checks: 'full' | 'resolve';
  /**
   * Variables without a value on the target: an error where they are needed (validate, plan, deploy, run), a
   * warning for build (the bundle it writes keeps `${var.x}`, which `databricks bundle deploy --var` can fill).
   */
  missingVariables: 'error' | 'warning' | 'ignore';
  /** Report warnings too when there are no errors (validate, build); otherwise only a failing check is shown. */
  reportWarnings?: boolean;
  /** Throw DiagnosticsError when there are errors (default); validate reports its own summary first. */
  throwOnErrors?: boolean;
  /**
   * Called with the loaded Bundle before it is resolved: `generate --bind` adds the resource it has just written,
   * as the entry file's new lines will on the next load (this process keeps the entry module it loaded first).
   */
  extend?: (bundle: Bundle) => Promise<void>;
}

export interface Project {
  /** The bundle file. */
  file: string;
  /** The project root: where package.json (or the bundle file) is. */
  root: string;
  bundle: Bundle;
  /** The model for the target, with the variable values this command runs with. */
  model: BundleModel;
  extensions: Extensions;
  diagnostics: Diagnostic[];
  /** The environment to pass on: the `--var` flags are set in it as BUNDLE_VAR_<name>. */
  env: NodeJS.ProcessEnv;
  /** The `--var` flags by name. */
  vars: Record<string, string>;
}

/** `--var name=value` flags as a map; a flag without `=` is a usage error. */
export function parseVarFlags(flags: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UserError(`--var ${flag}: expected name=value`);
    out[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return out;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds `--var` to a command that loads the project. */
export function varOption(command: Command): Command {
  return command.option('--var <name=value>', 'set a bundle variable (repeatable; wins over BUNDLE_VAR_<name>)', collect);
}

export async function loadProject(ctx: CliContext, program: Command, request: ProjectRequest, sink: EventSink): Promise<Project> {
  const vars = parseVarFlags(request.vars);
  const loaded = await loadBundle(ctx.cwd, program.opts<{ bundle?: string }>().bundle);
  if (request.extend) await request.extend(loaded.bundle);
  const resolved = resolve(loaded.bundle, request.target);
  const { values, missing, unknownFlags } = variableValues(resolved.model, { flags: vars, env: ctx.env });
  if (unknownFlags.length > 0) {
    throw new UserError(
      `--var names ${unknownFlags.map((n) => `"${n}"`).join(', ')}, which the bundle does not declare`,
      `Declared variables: ${Object.keys(resolved.model.variables).join(', ') || 'none'}.`,
    );
  }
  const model = withVariableValues(resolved.model, values, loaded.bundle.props.catalog_variable ?? 'catalog');
  let diagnostics: Diagnostic[];
  if (request.checks === 'full') {
    // Loaded here, not at start-up: commands that only read results never load the checks.
    const { validateProject } = await import('../validate/index.ts');
    diagnostics = await validateProject({ ...resolved, model }, { repoRoot: loaded.root, cacheDir: join(loaded.root, '.dbx-ts', 'cache') });
  } else {
    diagnostics = resolved.diagnostics;
  }
  if (request.missingVariables !== 'ignore' && missing.length > 0) {
    diagnostics = sortDiagnostics([...diagnostics, ...missingVariables(model, missing, request.missingVariables)]);
  }
  const errors = errorCount(diagnostics);
  if (errors > 0 || request.reportWarnings) reportDiagnostics(sink, diagnostics, ctx.cwd);
  if (errors > 0 && request.throwOnErrors !== false) throw new DiagnosticsError(errors);
  return {
    file: loaded.file,
    root: loaded.root,
    bundle: loaded.bundle,
    model,
    extensions: resolved.extensions,
    diagnostics,
    env: envWithVarFlags(ctx.env, vars),
    vars,
  };
}

function missingVariables(model: BundleModel, missing: string[], severity: 'error' | 'warning'): Diagnostic[] {
  return missing.map((name) => {
    const description = model.variables[name]?.description;
    const location = locationOf(model, `variables.${name}`);
    return {
      severity,
      message:
        `Variable "${name}" has no value on target ${model.target.name}${description ? ` (${description})` : ''}. ` +
        missingVariableHint([name], model.target.name),
      path: `variables.${name}`,
      ...(location ? { location } : {}),
    };
  });
}
