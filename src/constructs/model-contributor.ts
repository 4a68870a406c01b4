// How a construct adds itself to the BundleModel: resolve hands each construct that implements this hook the
// model being built, so a new resource kind arrives without another branch in resolve.
import type { BundleModel, SourceLocation } from '../model/types.ts';
import type { Diagnostic } from '../validate/diagnostic.ts';
import type { Construct } from './construct.ts';

type ResourceKinds = BundleModel['resources'];

export interface ModelContext {
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
