import type { TargetMode } from '../model/types.ts';
import { callerLocation, Construct, formatLocation } from './construct.ts';
import { varRef, type VarRef } from './refs.ts';
import { TableHandle } from './table-handle.ts';
import { UserError } from '../errors/index.ts';
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
  /** Tables the bundle reads but does not build, declared with externalTable(). */
  readonly externalTables: { name: string; location: SourceLocation | undefined }[] = [];

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
}
