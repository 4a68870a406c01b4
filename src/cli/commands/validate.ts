import { relative } from 'node:path';
import type { Command } from 'commander';
import { DiagnosticsError } from '../../errors/index.ts';
import type { EventSink } from '../../events/types.ts';
import { resolve } from '../../model/resolve.ts';
import { errorCount, sortDiagnostics, type Diagnostic } from '../../validate/diagnostic.ts';
import { validateResolved } from '../../validate/index.ts';
import type { CliContext } from '../context.ts';
import { loadBundle } from '../load-bundle.ts';

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

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('Check the bundle against the official schema and Databricks rules; reports every problem at once')
    .option('-t, --target <name>', 'target to validate')
    .option('--json', 'print diagnostics as NDJSON')
    .action(async (opts: { target?: string; json?: boolean }) => {
      const loaded = await loadBundle(ctx.cwd, program.opts<{ bundle?: string }>().bundle);
      const resolved = resolve(loaded.bundle, opts.target);
      const { model } = resolved;
      // Resolve's and validate's findings together, each problem once.
      const all = validateResolved(resolved, { repoRoot: loaded.root });
      const renderer = ctx.renderer(opts.json);
      reportDiagnostics(renderer.sink, all, ctx.cwd);
      const errors = errorCount(all);
      renderer.sink({
        code: 'log',
        level: errors > 0 ? 'error' : 'info',
        message: `${errors} error(s), ${all.length - errors} warning(s) in bundle "${model.bundle.name}" for target ${model.target.name}`,
        data: { errors, warnings: all.length - errors },
      });
      renderer.close();
      if (errors > 0) throw new DiagnosticsError(errors);
    });
}
