// How a diagnostic reads on a terminal and in --json output; file paths relative to the working directory.
import { relative } from 'node:path';
import type { Diagnostic, Severity } from './diagnostic.ts';

/** `error: <message>\n  at <file>:<line> (<config path>)`. */
export function formatDiagnostic(d: Diagnostic, cwd: string): string {
  const where = d.location ? `${relative(cwd, d.location.file) || d.location.file}:${d.location.line}` : undefined;
  const at = where && d.path ? `${where} (${d.path})` : (where ?? d.path);
  return at ? `${d.severity}: ${d.message}\n  at ${at}` : `${d.severity}: ${d.message}`;
}

/** All diagnostics, then a count line such as `2 errors, 1 warning`. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], cwd: string): string {
  const count = (severity: Severity): number => diagnostics.filter((d) => d.severity === severity).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const summary = `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}`;
  return [...diagnostics.map((d) => formatDiagnostic(d, cwd)), summary].join('\n');
}

export interface DiagnosticJson {
  severity: Severity;
  message: string;
  path: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
}

/** A flat, stable JSON shape for machines (one object per diagnostic; absent parts are null). */
export function diagnosticJson(d: Diagnostic, cwd: string): DiagnosticJson {
  return {
    severity: d.severity,
    message: d.message,
    path: d.path ?? null,
    file: d.location ? relative(cwd, d.location.file) || d.location.file : null,
    line: d.location?.line ?? null,
    column: d.location?.column ?? null,
  };
}
