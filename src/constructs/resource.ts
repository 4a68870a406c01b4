// A resource of any type of the official bundle schema that has no hand-written construct (clusters,
// experiments, registered models, serving endpoints, apps, volumes, ...). Props are the schema's own type for
// that resource, so a misspelled field is a compile error; other resources are referred to with `ref()`.
import type { GenericResourceModel } from '../model/types.ts';
import type { GenericResourceType, ResourceSettings } from '../model/resource-types.ts';
import { Construct } from './construct.ts';
import type { ModelContext, ModelContributor } from './model-contributor.ts';
import { onTarget, reportUnknownTargets, TargetOverrides, type DeepPartial, type OverrideOptions, type ResourceOptions } from './targets.ts';

/** `${resources.<type>.<key>.<field>}`: where a value is a reference to another resource's field. */
export type ResourceRef = `\${resources.${string}.${string}.${string}}`;

export function resourceRef(type: string, key: string, field: string): ResourceRef {
  return `\${resources.${type}.${key}.${field}}`;
}

export class Resource<K extends GenericResourceType> extends Construct implements ModelContributor {
  readonly type: K;
  readonly props: ResourceSettings[K];
  readonly options: ResourceOptions;
  readonly overrides = new TargetOverrides();

  constructor(scope: Construct, type: K, id: string, props: ResourceSettings[K], options: ResourceOptions = {}) {
    super(scope, id);
    this.type = type;
    this.props = props;
    this.options = options;
  }

  /** A reference to one of this resource's fields, resolved at deploy time (e.g. `ref('name')`). */
  ref(field: string): ResourceRef {
    return resourceRef(this.type, this.id, field);
  }

  /** `${resources.<type>.<key>.id}`: the id the resource gets when deployed. */
  get idRef(): ResourceRef {
    return this.ref('id');
  }

  /** Settings this target adds or changes (merged as the Databricks CLI merges a target's resources). */
  forTarget(target: string, overrides: DeepPartial<ResourceSettings[K]>, how: OverrideOptions = {}): this {
    this.overrides.add(target, overrides, how);
    return this;
  }

  /** Whether the resource exists on this target. */
  onTarget(target: string): boolean {
    return onTarget(this.options, target);
  }

  toModel(target: string): GenericResourceModel {
    return { settings: this.overrides.apply(this.type, structuredClone(this.props) as unknown as Record<string, unknown>, target) };
  }

  /** Adds the resource when it exists on the target; overrides naming targets the bundle lacks are errors. */
  contributeTo(ctx: ModelContext): void {
    reportUnknownTargets(this.overrides, this.options, `resources.${this.type}.${this.id}`, ctx);
    if (this.onTarget(ctx.target)) ctx.add<GenericResourceType>(this.type, this.id, this.toModel(ctx.target), this.location);
  }
}
