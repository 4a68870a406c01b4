// A Unity Catalog volume the bundle creates (managed unless a storage_location makes it external): files
// under `/Volumes/<catalog>/<schema>/<volume>`, such as landing files and streaming checkpoints.
import type { VolumeModel } from '../model/types.ts';
import type { ResourcesVolume } from '../schema/bundle-types.ts';
import { Construct } from './construct.ts';
import { grantsSetting, type Grant } from './grants.ts';
import type { ModelContext, ModelContributor } from './model-contributor.ts';
import type { Schema } from './schema.ts';

export type VolumeProps = Omit<ResourcesVolume, 'name' | 'catalog_name' | 'schema_name' | 'grants' | 'lifecycle'> & {
  /** Name in the schema; defaults to the id. */
  name?: string;
  /** The schema the volume lives in: a Schema of this bundle. */
  schema: Schema;
  grants?: Grant[];
};

export class Volume extends Construct implements ModelContributor {
  readonly props: VolumeProps;

  constructor(scope: Construct, id: string, props: VolumeProps) {
    super(scope, id);
    this.props = props;
  }

  get name(): string {
    return this.props.name ?? this.id;
  }

  get schema(): Schema {
    return this.props.schema;
  }

  /** `/Volumes/<catalog>/<schema>/<volume>` as declared (the catalog may be a `${var.x}` reference). */
  get path(): string {
    return `/Volumes/${this.schema.catalogName}/${this.schema.name}/${this.name}`;
  }

  contributeTo(ctx: ModelContext): void {
    const { grants: _grants, name: _name, schema, ...rest } = this.props;
    if (!ctx.owns(schema)) {
      ctx.report({
        severity: 'error',
        message: `Volume "${this.id}" is in schema "${schema.id}", which is not part of this bundle.`,
        path: `resources.volumes.${this.id}.schema_name`,
        ...(this.location ? { location: this.location } : {}),
      });
    }
    // References to the schema, as Databricks bundles write them: the volume follows the schema's name on
    // every target, and deploy creates the schema first.
    const model: VolumeModel = {
      settings: {
        volume_type: rest.storage_location ? 'EXTERNAL' : 'MANAGED',
        ...structuredClone(rest),
        name: this.name,
        catalog_name: schema.catalogRef,
        schema_name: schema.nameRef,
        ...grantsSetting(this.props.grants),
      },
      schema_key: schema.id,
      path: this.path,
    };
    ctx.add('volumes', this.id, model, this.location);
  }
}
