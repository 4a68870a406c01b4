// Where the user wrote the thing a config path names: the nearest ancestor path the resolver recorded.
import { relative } from 'node:path';
import type { BundleModel, SourceLocation } from '../model/types.ts';
import type { Diagnostic, Severity } from './diagnostic.ts';
import { selfAndAncestors } from './config-path.ts';

/** The location of `path` or its nearest recorded ancestor; the bundle's own line as a last resort. */
export function locationOf(model: BundleModel, path: string): SourceLocation | undefined {
  for (const candidate of selfAndAncestors(path)) {
    const loc = model.locations[candidate];
    if (loc) return loc;
  }
  return model.locations['bundle'];
}

/** Builds diagnostics for one model; an explicit location (a table's own line) wins over the path lookup. */
export interface Reporter {
  diagnostics: Diagnostic[];
  report(severity: Severity, path: string, message: string, location?: SourceLocation): void;
  /** `file:line` relative to the repo, for messages that point at a second place. */
  where(path: string, location?: SourceLocation): string;
}

export function newReporter(model: BundleModel, repoRoot: string): Reporter {
  const diagnostics: Diagnostic[] = [];
  return {
    diagnostics,
    report(severity, path, message, location) {
      const loc = location ?? locationOf(model, path);
      diagnostics.push({ severity, message, path, ...(loc ? { location: loc } : {}) });
    },
    where(path, location) {
      const loc = location ?? locationOf(model, path);
      return loc ? `${relative(repoRoot, loc.file)}:${loc.line}` : path;
    },
  };
}
