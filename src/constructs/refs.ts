// References are values: the user passes objects, and resolve renders them as the strings Databricks expects.

/** The `${var.<name>}` interpolation string the bundle schema accepts wherever a variable may stand. */
export type VarRef = `\${var.${string}}`;

export function varRef(name: string): VarRef {
  return `\${var.${name}}`;
}

/** A secret in a scope. In configuration it renders as `{{secrets/<scope>/<key>}}`; in code as dbutils.secrets.get. */
export class SecretHandle {
  constructor(
    readonly scopeName: string,
    readonly key: string,
  ) {}

  /** The secret reference syntax of Spark configuration and pipeline configuration. */
  toString(): string {
    return `{{secrets/${this.scopeName}/${this.key}}}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Placeholders a bundle may use in SQL; resolved per target (`${catalog}` also works in DLT configuration). */
export const CATALOG_PLACEHOLDER = '${catalog}';
