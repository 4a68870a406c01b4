import type { SourceLocation } from '../model/types.ts';

export type Severity = 'error' | 'warning';

/** One finding about the bundle: what, where in the config, and where in the user's source. */
export interface Diagnostic {
  severity: Severity;
  message: string;
  /** Config path, e.g. `resources.jobs.unified-workflow.tasks[2].depends_on[0]`. */
  path?: string;
  location?: SourceLocation;
}

export function errorCount(diagnostics: readonly Diagnostic[]): number {
  return diagnostics.filter((d) => d.severity === 'error').length;
}

/** A stable order for reporting: by file, line, then path. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.path ?? '').localeCompare(b.path ?? '') ||
      a.message.localeCompare(b.message),
  );
}
