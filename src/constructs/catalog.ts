// A Unity Catalog catalog the bundle owns (creates, updates and, on destroy, deletes). Most bundles use a
// catalog that exists already and name it with a variable instead; see Schema.
import type { CatalogModel } from '../model/types.ts';
import type { ResourcesCatalog } from '../schema/bundle-types.ts';
import { Construct } from './construct.ts';
import { grantsSetting, type Grant } from './grants.ts';
import type { ModelContext, ModelContributor } from './model-contributor.ts';

export type CatalogProps = Omit<ResourcesCatalog, 'name' | 'grants' | 'lifecycle'> & {
  /** Name in the metastore; defaults to the id. */
  name?: string;
  grants?: Grant[];
};

export class Catalog extends Construct implements ModelContributor {
  readonly props: CatalogProps;

  constructor(scope: Construct, id: string, props: CatalogProps = {}) {
    super(scope, id);
    this.props = props;
  }

  /** The catalog's name as declared (a literal or a `${var.x}` reference). */
  get name(): string {
    return this.props.name ?? this.id;
  }

  /** `${resources.catalogs.<key>.name}`: what schemas of this catalog write as their catalog_name. */
  get nameRef(): string {
    return `\${resources.catalogs.${this.id}.name}`;
  }

  contributeTo(ctx: ModelContext): void {
    const { grants: _grants, name: _name, ...rest } = this.props;
    const model: CatalogModel = { settings: { ...structuredClone(rest), name: this.name, ...grantsSetting(this.props.grants) } };
    ctx.add('catalogs', this.id, model, this.location);
  }
}
