import type { SourceLocation, TargetMode, VariableValue } from '../model/types.ts';
import type { BundleRoot, ConfigBundle, ConfigTarget, ConfigWorkspace, VariableLookup } from '../schema/bundle-types.ts';
import { callerLocation, Construct, formatLocation } from './construct.ts';
import { varRef, type VarRef } from './refs.ts';
import { TableHandle } from './table-handle.ts';
import type { DeepPartial } from './targets.ts';
import { UserError } from '../errors/index.ts';

export type { VariableValue } from '../model/types.ts';

export interface VariableProps {
  description?: string;
  /** The value when no target sets one: a string, number or boolean, or a map or list with `type: 'complex'`. */
  default?: VariableValue;
  /** `complex` for a variable whose value is a map or a list. */
  type?: 'complex';
  /** Look the value up by name at deploy time (a cluster, warehouse, ...); the Databricks CLI resolves it. */
  lookup?: VariableLookup;
}

/** A target's value for a variable, or in full form its default or lookup. */
export type TargetVariable =
  | string
  | number
  | boolean
  | { default: VariableValue; type?: 'complex'; description?: string }
  | { lookup: VariableLookup; description?: string };

/** What a target sets beyond its mode, workspace and variables, as the bundle schema has it (merged by the CLI). */
export type TargetSettings = Omit<ConfigTarget, 'mode' | 'default' | 'workspace' | 'variables' | 'resources'>;

export interface TargetProps extends TargetSettings {
  mode?: TargetMode;
  default?: boolean;
  /** Run on the embedded DuckDB engine instead of a workspace. */
  local?: boolean;
  workspace?: ConfigWorkspace;
  variables?: Record<string, TargetVariable>;
  warehouse_id?: string;
}

/** Top-level sections of databricks.yml beside its name, variables and targets, as the bundle schema has them. */
export type BundleSettings = Pick<BundleRoot, 'workspace' | 'artifacts' | 'sync' | 'permissions' | 'run_as' | 'presets' | 'experimental' | 'python' | 'scripts'> & {
  /** The `bundle` section beside its name (uuid, git, deployment, cluster_id, databricks_cli_version, ...). */
  bundle?: Omit<ConfigBundle, 'name'>;
};

export interface BundleProps {
  name: string;
  variables?: Record<string, VariableProps>;
  targets: Record<string, TargetProps>;
  /** The variable that names the Unity Catalog catalog of the bronze, silver and gold schemas. */
  catalog_variable?: string;
  settings?: BundleSettings;
  /**
   * Where the bundle's own source files are (notebooks, Python files, dashboards, app folders the resources name),
   * relative to the project folder; default: the project folder. Resource paths are relative to it.
   */
  source_root?: string;
}

/** A piece of configuration dbx-ts writes into the bundle as given, with where it was declared. */
export interface VerbatimFragment {
  fragment: Record<string, unknown>;
  location: SourceLocation | undefined;
}

/** The root of a definition: one bundle, its variables and targets; resources are its children. */
export class Bundle extends Construct {
  readonly props: BundleProps;
  /** Every `var()` call, so resolve can report undeclared variables at the line that used them. */
  readonly variableUses: { name: string; location: SourceLocation | undefined }[] = [];
  /** Tables the bundle reads but does not build, declared with externalTable(). */
  readonly externalTables: { name: string; location: SourceLocation | undefined }[] = [];
  /** Configuration written into the bundle as given (Bundle.verbatim). */
  readonly verbatimFragments: VerbatimFragment[] = [];

  constructor(props: BundleProps) {
    super(undefined, props.name.replace(/[^A-Za-z0-9_-]/g, '_') || 'bundle');
    this.props = props;
  }

  /**
   * A table the bundle reads but does not build (written by another project, or by a notebook's own code):
   * `schema.table` in the bundle's catalog, or `catalog.schema.table`. Queries may read it, and validate
   * knows it exists; the local target does not create it.
   */
  externalTable(name: string): TableHandle {
    const location = callerLocation();
    const parts = name.split('.');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) {
      throw new UserError(`externalTable("${name}") at ${formatLocation(location)}: write <schema>.<table> or <catalog>.<schema>.<table> with plain names (letters, digits, _).`);
    }
    this.externalTables.push({ name, location });
    const [a, b, c] = parts as [string, string, string | undefined];
    return c === undefined ? new TableHandle(a, b) : new TableHandle(b, c, a);
  }

  /** A reference to a bundle variable: `${var.<name>}`. */
  var(name: string): VarRef {
    this.variableUses.push({ name, location: callerLocation() });
    return varRef(name);
  }

  /**
   * The escape hatch: configuration written into the bundle exactly as given (typed by the bundle schema), for
   * what no construct expresses. dbx-ts validates it with the rest but does not deploy what it declares:
   * plan and deploy name it as left to the Databricks CLI.
   */
  verbatim(fragment: DeepPartial<BundleRoot>): this {
    this.verbatimFragments.push({ fragment: structuredClone(fragment) as Record<string, unknown>, location: callerLocation() });
    return this;
  }
}
