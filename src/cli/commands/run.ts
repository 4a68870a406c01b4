import type { Command } from 'commander';
import { parseDuration, parseJobParams } from '../../run/options.ts';
import { runRemoteJob } from '../../run/remote-run.ts';
import { UserError } from '../../errors/index.ts';
import type { CliContext } from '../context.ts';
import { loadProject, varOption } from '../project.ts';

export interface RunOptions {
  target?: string;
  var?: string[];
  param?: string[];
  wait?: boolean;
  timeout?: string;
  restart?: boolean;
  json?: boolean;
  showResults?: boolean;
  continuous?: boolean;
}

export function registerRun(program: Command, ctx: CliContext): void {
  varOption(
    program
      .command('run <job-key>')
      .description('Run a job of the bundle and watch it task by task (on the local target: on DuckDB)')
      .option('-t, --target <name>', 'target to run on (default: the bundle default, local)'),
  )
    .option('--param <k=v...>', 'job parameter (repeatable)')
    .option('--no-wait', 'start the run, print its id and URL, and exit')
    .option('--timeout <duration>', 'cancel the run after this long, e.g. 30m')
    .option('--restart', 'cancel active runs of the job first')
    .option('--no-show-results', "do not show the bundle's result views after a successful run")
    .option('--continuous', 'local target: after the run, keep the pipelines processing new landing files until Ctrl-C')
    .option('--json', 'print events as NDJSON')
    .action(async (jobKey: string, opts: RunOptions) => {
      const renderer = ctx.renderer(opts.json);
      try {
        const { model, extensions, root, env } = await loadProject(
          ctx,
          program,
          { target: opts.target, vars: opts.var, checks: 'full', missingVariables: 'error' },
          renderer.sink,
        );
        const params = parseJobParams(opts.param);
        const common = { model, projectRoot: root, jobKey, env, sink: renderer.sink, signal: ctx.signal, params };
        if (!model.target.local) {
          if (opts.continuous) {
            throw new UserError('--continuous is for the local target; on a workspace, set `continuous: true` on the pipeline and deploy.');
          }
          await runRemoteJob({
            ...common,
            resultViews: extensions.resultViews,
            wait: opts.wait ?? true,
            ...(opts.timeout !== undefined ? { timeoutMs: parseDuration(opts.timeout) } : {}),
            restart: opts.restart === true,
            showResults: opts.showResults ?? true,
          });
          return;
        }
        // The local target runs the job in this process, to the end: these workspace-run options have no meaning there.
        const unsupported = [
          opts.wait === false ? '--no-wait' : undefined,
          opts.restart ? '--restart' : undefined,
        ].filter((flag): flag is string => flag !== undefined);
        if (unsupported.length > 0) {
          throw new UserError(`${unsupported.join(', ')} ${unsupported.length === 1 ? 'is' : 'are'} for workspace targets; the local target runs the job here, to the end.`);
        }
        const timeoutMs = opts.timeout !== undefined ? parseDuration(opts.timeout) : undefined;
        // Loaded on demand: the local engine pulls in DuckDB and the charting library.
        const { runLocalJob } = await import('../../local/run-local.ts');
        await runLocalJob({
          ...common,
          extensions,
          showResults: opts.showResults ?? true,
          continuous: opts.continuous === true,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
      } finally {
        renderer.close();
      }
    });
}
