// How a construct adds itself to the BundleModel: resolve hands each construct that implements this hook the
// model being built, so a new resource kind arrives without another branch in resolve.
import type { BundleModel, SourceLocation } from '../model/types.ts';
import type { Diagnostic } from '../validate/diagnostic.ts';
import type { Construct } from './construct.ts';

/** Every resource kind of the model; generic kinds are optional there but always a map when present. */
type ResourceKinds = { [K in keyof BundleModel['resources']]-?: NonNullable<BundleModel['resources'][K]> };

export interface ModelContext {
  /** The target being resolved, and every target the bundle declares. */
  target: string;
  targets: string[];
  /** Adds a resource under `resources.<kind>.<key>` and records where it was declared. */
  add<K extends keyof ResourceKinds>(kind: K, key: string, resource: ResourceKinds[K][string], location: SourceLocation | undefined): void;
  /** True when the construct belongs to the bundle being resolved. */
  owns(construct: Construct): boolean;
  report(diagnostic: Diagnostic): void;
}

export interface ModelContributor {
  contributeTo(ctx: ModelContext): void;
}

export function isModelContributor(value: unknown): value is ModelContributor {
  return typeof (value as Partial<ModelContributor> | null)?.contributeTo === 'function';
}
