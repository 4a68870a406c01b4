// Diagnostics as events: the message, then where (file:line relative to the working directory, and the config path).
import { relative } from 'node:path';
import type { EventSink } from '../events/types.ts';
import { sortDiagnostics, type Diagnostic } from '../validate/diagnostic.ts';

export function reportDiagnostics(sink: EventSink, diagnostics: Diagnostic[], cwd: string): void {
  for (const d of sortDiagnostics(diagnostics)) {
    const where = d.location ? `${relative(cwd, d.location.file)}:${d.location.line}` : undefined;
    const suffix = [where, d.path].filter(Boolean).join(' ');
    sink({
      code: 'diagnostic',
      level: d.severity === 'error' ? 'error' : 'warn',
      message: suffix ? `${d.message}\n  at ${suffix}` : d.message,
      data: {
        severity: d.severity,
        ...(d.path ? { path: d.path } : {}),
        ...(d.location ? { file: d.location.file, line: d.location.line } : {}),
      },
    });
  }
}
