import type { Command } from 'commander';
import { DiagnosticsError } from '../../errors/index.ts';
import { errorCount } from '../../validate/diagnostic.ts';
import type { CliContext } from '../context.ts';
import { loadProject, varOption } from '../project.ts';

export function registerValidate(program: Command, ctx: CliContext): void {
  varOption(
    program
      .command('validate')
      .description('Check the bundle against the official schema and Databricks rules; reports every problem at once')
      .option('-t, --target <name>', 'target to validate'),
  )
    .option('--json', 'print diagnostics as NDJSON')
    .action(async (opts: { target?: string; var?: string[]; json?: boolean }) => {
      const renderer = ctx.renderer(opts.json);
      try {
        const { model, diagnostics } = await loadProject(
          ctx,
          program,
          { target: opts.target, vars: opts.var, checks: 'full', missingVariables: 'error', reportWarnings: true, throwOnErrors: false },
          renderer.sink,
        );
        const errors = errorCount(diagnostics);
        renderer.sink({
          code: 'log',
          level: errors > 0 ? 'error' : 'info',
          message: `${errors} error(s), ${diagnostics.length - errors} warning(s) in bundle "${model.bundle.name}" for target ${model.target.name}`,
          data: { errors, warnings: diagnostics.length - errors },
        });
        if (errors > 0) throw new DiagnosticsError(errors);
      } finally {
        renderer.close();
      }
    });
}
