// dbx-ts validate: every check at once. `-o json` prints the configuration resolved for the target (what
// `databricks bundle validate -o json` prints), for scripts to read; problems go to stderr either way.
import type { Command } from 'commander';
import { DiagnosticsError } from '../../errors/index.ts';
import { resolvedConfig } from '../../synth/resolved-config.ts';
import { errorCount } from '../../validate/diagnostic.ts';
import type { CliContext } from '../context.ts';
import { outputOption, renderRequest } from '../output.ts';
import { loadProject, varOption } from '../project.ts';

export function registerValidate(program: Command, ctx: CliContext): void {
  outputOption(
    varOption(
      program
        .command('validate')
        .description('Check the bundle against the official schema and Databricks rules; reports every problem at once')
        .option('-t, --target <name>', 'target to validate'),
    ),
    'output type: text, or json for the configuration resolved for the target',
  )
    .option('--json', 'print diagnostics as NDJSON')
    .action(async (opts: { target?: string; var?: string[]; json?: boolean; output?: string }) => {
      const renderer = ctx.renderer(renderRequest(opts));
      try {
        const { model, diagnostics } = await loadProject(
          ctx,
          program,
          { target: opts.target, vars: opts.var, checks: 'full', missingVariables: 'error', reportWarnings: true, throwOnErrors: false },
          renderer.sink,
        );
        const errors = errorCount(diagnostics);
        // The error itself is reported once, by the command line's error handler.
        if (errors > 0) throw new DiagnosticsError(errors);
        renderer.sink({
          code: 'log',
          level: 'info',
          message: `Validation OK: bundle "${model.bundle.name}", target ${model.target.name}${diagnostics.length > 0 ? `, ${diagnostics.length} warning(s)` : ''}`,
          data: { errors, warnings: diagnostics.length },
        });
        renderer.document(resolvedConfig(model));
      } finally {
        renderer.close();
      }
    });
}
