// Per-target differences of a resource, as the Databricks CLI has them: a target's `resources` section is
// merged into the resource (maps merged, lists appended, keyed lists folded), and a resource declared only
// in some targets' sections exists only there. Overrides are data, merged with the CLI's own rules.
import { foldKeyedLists, mergeValues } from '../model/merge.ts';
import type { SourceLocation } from '../model/types.ts';
import type { Diagnostic } from '../validate/diagnostic.ts';
import { callerLocation } from './construct.ts';

/** Every field optional, all the way down (list elements too): what a target may add to a resource. */
export type DeepPartial<T> = T extends readonly (infer E)[] ? DeepPartial<E>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export interface ResourceOptions {
  /** Declare the resource on these targets only (the CLI's `targets.<name>.resources`); default: every target. */
  targets?: string[];
}

export interface OverrideOptions {
  /** Replace the resource's settings on this target instead of merging into them. */
  replace?: boolean;
}

interface Override {
  target: string;
  value: unknown;
  replace: boolean;
  location: SourceLocation | undefined;
}

/** The overrides of one resource, in declaration order. */
export class TargetOverrides {
  private readonly entries: Override[] = [];

  add(target: string, value: unknown, how: OverrideOptions = {}): void {
    this.entries.push({ target, value: structuredClone(value), replace: how.replace === true, location: callerLocation() });
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
    for (const o of mine) out = o.replace ? o.value : mergeValues(out, o.value);
    return foldKeyedLists(type, out as Record<string, unknown>);
  }
}

/** Reports overrides and `targets` options naming targets the bundle does not declare. */
export function reportUnknownTargets(
  overrides: TargetOverrides,
  options: ResourceOptions,
  path: string,
  ctx: { targets?: string[]; report(d: Diagnostic): void },
): void {
  const known = ctx.targets;
  if (!known) return;
  const named = [...overrides.targets(), ...(options.targets ?? []).map((target) => ({ target, location: undefined as SourceLocation | undefined }))];
  for (const { target, location } of named) {
    if (known.includes(target)) continue;
    ctx.report({ severity: 'error', message: `${path} names target "${target}", which the bundle does not declare (targets: ${known.join(', ')}).`, path, ...(location ? { location } : {}) });
  }
}

/** True if a resource declared with these options exists on `target`. */
export function onTarget(options: ResourceOptions, target: string): boolean {
  return options.targets === undefined || options.targets.includes(target);
}
