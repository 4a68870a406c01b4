// A Unity Catalog schema the bundle creates: where its tables and volumes live. The catalog is one the
// bundle owns (a Catalog) or one that exists already, named by a variable (`app.var('catalog')`) or literally.
import type { SchemaModel } from '../model/types.ts';
import type { ResourcesSchema } from '../schema/bundle-types.ts';
import { Catalog } from './catalog.ts';
import { Bundle } from './bundle.ts';
import { callerLocation, Construct, formatLocation } from './construct.ts';
import { grantsSetting, type Grant } from './grants.ts';
import type { ModelContext, ModelContributor } from './model-contributor.ts';
import { varRef } from './refs.ts';
import { TableHandle } from './table-handle.ts';
import { UserError } from '../errors/index.ts';

export type SchemaProps = Omit<ResourcesSchema, 'name' | 'catalog_name' | 'grants' | 'lifecycle'> & {
  /** Name in the catalog; defaults to the id. */
  name?: string;
  /** The catalog: a Catalog of this bundle, or the name of an existing one (e.g. `app.var('catalog')`). */
  catalog: Catalog | string;
  grants?: Grant[];
};

export class Schema extends Construct implements ModelContributor {
  readonly props: SchemaProps;

  constructor(scope: Construct, id: string, props: SchemaProps) {
    super(scope, id);
    this.props = props;
  }

  /** The schema's name as declared (targets may deploy it under another name, e.g. with a development prefix). */
  get name(): string {
    return this.props.name ?? this.id;
  }

  /** The catalog's name as declared: a literal or a `${var.x}` reference. */
  get catalogName(): string {
    const catalog = this.props.catalog;
    return catalog instanceof Catalog ? catalog.name : catalog;
  }

  /** `${resources.schemas.<key>.name}`: the schema's name as deployed on the target, for configuration. */
  get nameRef(): string {
    return `\${resources.schemas.${this.id}.name}`;
  }

  /** `${resources.schemas.<key>.catalog_name}`. */
  get catalogRef(): string {
    return `\${resources.schemas.${this.id}.catalog_name}`;
  }

  /** `<schema>.<table>`: the name of a table in this schema, as table definitions write it. */
  tableName(table: string): string {
    return `${this.name}.${table}`;
  }

  /**
   * A table of this schema, by value: use it as a table definition's `name`, `source.table` or
   * `quarantine_table`, and in SQL (`SELECT ... FROM ${orders}` renders `${catalog}.<schema>.<table>`, the
   * catalog filled in per target). The schema must be in the bundle's catalog, where the tables it builds live.
   */
  table(table: string): TableHandle {
    const bundle = rootBundle(this);
    const catalogVariable = bundle?.props.catalog_variable ?? 'catalog';
    const declared = bundle?.props.variables?.[catalogVariable] !== undefined;
    if (declared && this.catalogName !== varRef(catalogVariable)) {
      throw new UserError(
        `Schema "${this.id}" is in catalog ${this.catalogName}, not the bundle's catalog (\${var.${catalogVariable}}), at ${formatLocation(callerLocation())}.`,
        `The tables a bundle builds live in its catalog; name a table elsewhere with app.externalTable('<catalog>.<schema>.<table>').`,
      );
    }
    return new TableHandle(this.name, table);
  }

  contributeTo(ctx: ModelContext): void {
    const { grants: _grants, name: _name, catalog, ...rest } = this.props;
    const owned = catalog instanceof Catalog ? catalog : undefined;
    if (owned && !ctx.owns(owned)) {
      ctx.report({
        severity: 'error',
        message: `Schema "${this.id}" is in catalog "${owned.id}", which is not part of this bundle.`,
        path: `resources.schemas.${this.id}.catalog_name`,
        ...(this.location ? { location: this.location } : {}),
      });
    }
    const model: SchemaModel = {
      settings: {
        ...structuredClone(rest),
        name: this.name,
        catalog_name: owned ? owned.nameRef : this.catalogName,
        ...grantsSetting(this.props.grants),
      },
    };
    if (owned) model.catalog_key = owned.id;
    ctx.add('schemas', this.id, model, this.location);
  }
}

function rootBundle(construct: Construct): Bundle | undefined {
  let node: Construct | undefined = construct;
  while (node?.scope) node = node.scope;
  return node instanceof Bundle ? node : undefined;
}
