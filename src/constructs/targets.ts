// Per-target differences of a resource, as the Databricks CLI has them: a target's `resources` section is
// merged into the resource (maps merged, lists appended, keyed lists folded), and a resource declared only
// in some targets' sections exists only there. Overrides are data, merged with the CLI's own rules.
import { foldKeyedLists, mergeValues } from '../model/merge.ts';
import type { SourceLocation } from '../model/types.ts';
import { callerLocation } from './construct.ts';

/** Every field optional, all the way down (list elements too): what a target may add to a resource. */
export type DeepPartial<T> = T extends readonly (infer E)[] ? DeepPartial<E>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export interface ResourceOptions {
  /** Declare the resource on these targets only (the CLI's `targets.<name>.resources`); default: every target. */
  targets?: string[];
}

interface Override {
  target: string;
  value: unknown;
  location: SourceLocation | undefined;
}

/** The overrides of one resource, in declaration order. */
export class TargetOverrides {
  private readonly entries: Override[] = [];

  add(target: string, value: unknown): void {
    this.entries.push({ target, value: structuredClone(value), location: callerLocation() });
  }

  /** Targets named by an override, with where each was written (resolve reports unknown ones). */
  targets(): { target: string; location: SourceLocation | undefined }[] {
    return this.entries.map(({ target, location }) => ({ target, location }));
  }

  /** `settings` as the target sees it: every override for it merged in, then the keyed lists folded. */
  apply(type: string, settings: Record<string, unknown>, target: string): Record<string, unknown> {
    const mine = this.entries.filter((o) => o.target === target);
    if (mine.length === 0) return settings;
    let out: unknown = settings;
    for (const o of mine) out = mergeValues(out, o.value);
    return foldKeyedLists(type, out as Record<string, unknown>);
  }
}

/** True if a resource declared with these options exists on `target`. */
export function onTarget(options: ResourceOptions, target: string): boolean {
  return options.targets === undefined || options.targets.includes(target);
}
