// Bundle variable values for one target, decided in one place, as the Databricks CLI decides them:
// `--var name=value` > BUNDLE_VAR_<name> > the target's override > the declared default. A variable with none
// of these has no value (a required variable); a flag naming an undeclared variable is reported too.
import { UserError } from '../errors/index.ts';
import type { BundleModel, VariableValue } from './types.ts';

export type { VariableValue } from './types.ts';

export interface VariableSources {
  /** `--var name=value` flags. */
  flags?: Readonly<Record<string, string>>;
  /** Where BUNDLE_VAR_<name> is read from. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface VariableValues {
  /** Every declared variable that has a value. */
  values: Record<string, VariableValue>;
  /** Declared variables without a value on this target. */
  missing: string[];
  /** Flags naming variables the bundle does not declare. */
  unknownFlags: string[];
}

export function variableValues(model: Pick<BundleModel, 'variables' | 'target'>, sources: VariableSources = {}): VariableValues {
  const flags = sources.flags ?? {};
  const env = sources.env ?? {};
  const values: Record<string, VariableValue> = {};
  const missing: string[] = [];
  for (const [name, declared] of Object.entries(model.variables)) {
    const given = flags[name] ?? env[`BUNDLE_VAR_${name}`];
    const lookup = model.target.lookups?.[name] ?? (model.target.variables[name] === undefined ? declared.lookup : undefined);
    if (given === undefined && lookup !== undefined) {
      throw new UserError(
        `Variable "${name}" is looked up by name (${JSON.stringify(lookup)}) on target ${model.target.name}; dbx-ts does not resolve lookups.`,
        `Pass its value with --var ${name}=<id> or BUNDLE_VAR_${name}, or deploy the built bundle with the Databricks CLI.`,
      );
    }
    const value = given ?? model.target.variables[name] ?? declared.default;
    if (value === undefined) missing.push(name);
    else values[name] = value;
  }
  return { values, missing, unknownFlags: Object.keys(flags).filter((name) => !(name in model.variables)) };
}

/** The model with every variable's value on this target (target.variables holds them all; the catalog follows). */
export function withVariableValues(model: BundleModel, values: BundleModel['target']['variables'], catalogVariable: string): BundleModel {
  const catalog = values[catalogVariable];
  // A new target object: model.targets keeps the declared overrides, which databricks.yml lists per target.
  return { ...model, target: { ...model.target, variables: { ...values } }, catalog: catalog === undefined ? model.catalog : String(catalog) };
}

/**
 * The environment a command passes on, with each `--var` flag as BUNDLE_VAR_<name>: every later reader of
 * variable values (deploy, the local run, the SQL client) then sees the flags first, as the CLI promises.
 */
export function envWithVarFlags(env: NodeJS.ProcessEnv, flags: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  if (Object.keys(flags).length === 0) return env;
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of Object.entries(flags)) out[`BUNDLE_VAR_${name}`] = value;
  return out;
}

/** How to give required variables a value. */
export function missingVariableHint(missing: readonly string[], target: string): string {
  return (
    `Set ${missing.length === 1 ? 'it' : 'each'} with --var ${missing[0]}=<value>, the environment variable BUNDLE_VAR_${missing[0]}, ` +
    `or targets.${target}.variables in the bundle definition.`
  );
}
