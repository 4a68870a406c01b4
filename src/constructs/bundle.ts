import type { TargetMode } from '../model/types.ts';
import { callerLocation, Construct } from './construct.ts';
import { varRef, type VarRef } from './refs.ts';
import type { SourceLocation } from '../model/types.ts';

export interface VariableProps {
  description?: string;
  default?: string | number | boolean;
}

export interface TargetProps {
  mode?: TargetMode;
  default?: boolean;
  /** Run on the embedded DuckDB engine instead of a workspace. */
  local?: boolean;
  workspace?: { host?: string; profile?: string; root_path?: string };
  variables?: Record<string, string | number | boolean>;
  warehouse_id?: string;
}

export interface BundleProps {
  name: string;
  variables?: Record<string, VariableProps>;
  targets: Record<string, TargetProps>;
  /** The variable that names the Unity Catalog catalog of the bronze, silver and gold schemas. */
  catalog_variable?: string;
}

/** The root of a definition: one bundle, its variables and targets; resources are its children. */
export class Bundle extends Construct {
  readonly props: BundleProps;
  /** Every `var()` call, so resolve can report undeclared variables at the line that used them. */
  readonly variableUses: { name: string; location: SourceLocation | undefined }[] = [];

  constructor(props: BundleProps) {
    super(undefined, props.name.replace(/[^A-Za-z0-9_-]/g, '_') || 'bundle');
    this.props = props;
  }

  /** A reference to a bundle variable: `${var.<name>}`. */
  var(name: string): VarRef {
    this.variableUses.push({ name, location: callerLocation() });
    return varRef(name);
  }
}
