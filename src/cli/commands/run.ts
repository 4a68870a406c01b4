// dbx-ts run <key>: a job (watched task by task) or a pipeline (one update) of the bundle, on a workspace target
// or on the local target's DuckDB engine. The flags are the Databricks CLI's `bundle run` flags: for jobs --params
// k=v,k2=v2 (and a repeatable --param k=v) and --only task_a,task_b; for pipelines --refresh, --full-refresh,
// --full-refresh-all, --refresh-all and --validate-only.
import type { Command } from 'commander';
import { UserError } from '../../errors/index.ts';
import { onlyItemKey } from '../../model/only-tasks.ts';
import type { BundleModel } from '../../model/types.ts';
import { parseDuration, parseJobParams } from '../../run/options.ts';
import type { PipelineRefresh } from '../../run/pipeline-run.ts';
import type { CliContext } from '../context.ts';
import { loadProject, varOption } from '../project.ts';
import { stopOnTerminate } from '../stop-signal.ts';

export interface RunOptions {
  target?: string;
  var?: string[];
  param?: string[];
  params?: string[];
  only?: string[];
  wait?: boolean;
  timeout?: string;
  restart?: boolean;
  json?: boolean;
  showResults?: boolean;
  continuous?: boolean;
  refresh?: string[];
  fullRefresh?: string[];
  fullRefreshAll?: boolean;
  refreshAll?: boolean;
  validateOnly?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Comma-separated lists, each flag repeatable: `--only a,b --only c` is a, b, c. */
function list(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return items;
}

/** `--params k=v,k2=v2` (the Databricks CLI's spelling) and `--param k=v` (repeatable) together. */
export function jobParams(opts: Pick<RunOptions, 'param' | 'params'>): Record<string, string> {
  const pairs = [...(opts.params ?? []).flatMap((p) => p.split(',')).filter((p) => p.trim() !== ''), ...(opts.param ?? [])];
  return parseJobParams(pairs);
}

function pipelineFlags(opts: RunOptions): PipelineRefresh {
  return {
    ...(opts.refresh ? { refresh: list(opts.refresh)! } : {}),
    ...(opts.fullRefresh ? { fullRefresh: list(opts.fullRefresh)! } : {}),
    ...(opts.fullRefreshAll ? { fullRefreshAll: true } : {}),
    ...(opts.refreshAll ? { refreshAll: true } : {}),
    ...(opts.validateOnly ? { validateOnly: true } : {}),
  };
}

/** What `key` names: a job or a pipeline of the bundle (a key both have is ambiguous, as in the Databricks CLI). */
function resourceOf(model: BundleModel, key: string): 'jobs' | 'pipelines' {
  const job = key in model.resources.jobs;
  const pipeline = key in model.resources.pipelines;
  if (job && pipeline) throw new UserError(`"${key}" is both a job and a pipeline of bundle "${model.bundle.name}"; rename one of them to run it.`);
  if (job) return 'jobs';
  if (pipeline) return 'pipelines';
  const jobs = Object.keys(model.resources.jobs);
  const pipelines = Object.keys(model.resources.pipelines);
  throw new UserError(`No job or pipeline "${key}" in bundle "${model.bundle.name}".`, `Jobs: ${jobs.join(', ') || '(none)'}; pipelines: ${pipelines.join(', ') || '(none)'}.`);
}

/** Flags of the other kind of resource are refused, not ignored. */
function refuseFlags(key: string, kind: 'jobs' | 'pipelines', opts: RunOptions, local: boolean): void {
  const jobOnly = [opts.param ? '--param' : '', opts.params ? '--params' : '', opts.only ? '--only' : '', opts.restart ? '--restart' : '', opts.showResults === false ? '--no-show-results' : '', opts.continuous ? '--continuous' : ''];
  // --full-refresh-all means the same for a job on the local target: every table it builds is rebuilt.
  const pipelineOnly = [opts.refresh ? '--refresh' : '', opts.fullRefresh ? '--full-refresh' : '', opts.fullRefreshAll && !local ? '--full-refresh-all' : '', opts.refreshAll ? '--refresh-all' : '', opts.validateOnly ? '--validate-only' : ''];
  const wrong = (kind === 'jobs' ? pipelineOnly : jobOnly).filter(Boolean);
  if (wrong.length > 0) {
    throw new UserError(`${wrong.join(', ')} ${wrong.length === 1 ? 'is' : 'are'} for ${kind === 'jobs' ? 'pipelines' : 'jobs'}; "${key}" is a ${kind === 'jobs' ? 'job' : 'pipeline'}.`);
  }
}

/**
 * --only names tasks of the job, each optionally with the run-now `only` modifiers: `+task` also runs what it
 * depends on, `task+` what depends on it (sent as written; the local target expands them the same way).
 */
function onlyTasks(model: BundleModel, jobKey: string, only: string[] | undefined): string[] | undefined {
  if (only === undefined) return undefined;
  if (only.length === 0) throw new UserError('--only needs at least one task key, e.g. --only task_a,task_b');
  const keys = (model.resources.jobs[jobKey]?.settings.tasks ?? []).map((t) => t.task_key);
  const unknown = only.filter((k) => !keys.includes(onlyItemKey(k)));
  if (unknown.length > 0) throw new UserError(`--only ${unknown.join(', ')}: job "${jobKey}" has no such task`, `Its tasks: ${keys.join(', ')}.`);
  return only;
}

export function registerRun(program: Command, ctx: CliContext): void {
  varOption(
    program
      .command('run <key>')
      .description('Run a job of the bundle and watch it task by task, or an update of one of its pipelines (on the local target: on DuckDB)')
      .option('-t, --target <name>', 'target to run on (default: the bundle default, local)'),
  )
    .option('--params <k=v,...>', 'job parameters, comma-separated (repeatable), as the Databricks CLI spells it', collect)
    .option('--param <k=v>', 'one job parameter (repeatable)', collect)
    .option('--only <tasks>', 'run these tasks of the job only (comma-separated task keys; +key also runs its upstream tasks, key+ its downstream ones; repeatable)', collect)
    .option('--refresh <tables>', 'pipeline: update these tables only (comma-separated)', collect)
    .option('--full-refresh <tables>', 'pipeline: reset and recompute these tables (comma-separated)', collect)
    .option('--full-refresh-all', 'pipeline: reset and recompute every table; job on the local target: every table it builds, and its summary and dashboard')
    .option('--refresh-all', 'pipeline: update every table (the default)')
    .option('--validate-only', 'pipeline: check the graph without touching data')
    .option('--no-wait', 'start the run or update, print its id and URL, and exit')
    .option('--timeout <duration>', 'cancel the run after this long, e.g. 30m')
    .option('--restart', 'cancel active runs of the job first')
    .option('--no-show-results', "do not show the bundle's result views after a successful run")
    .option('--continuous', 'local target: after the run, run the job again whenever new landing files arrive (bronze to dashboard), until Ctrl-C')
    .option('--json', 'print events as NDJSON')
    .action(async (key: string, opts: RunOptions) => {
      const renderer = ctx.renderer(opts.json);
      try {
        const { model, extensions, root, env } = await loadProject(
          ctx,
          program,
          { target: opts.target, vars: opts.var, checks: 'full', missingVariables: 'error' },
          renderer.sink,
        );
        const kind = resourceOf(model, key);
        refuseFlags(key, kind, opts, model.target.local === true);
        const timeoutMs = opts.timeout !== undefined ? parseDuration(opts.timeout) : undefined;
        if (kind === 'pipelines') {
          const refresh = pipelineFlags(opts);
          if (!model.target.local) {
            const { runRemotePipeline } = await import('../../run/pipeline-run.ts');
            await runRemotePipeline({ model, projectRoot: root, pipelineKey: key, env, sink: renderer.sink, refresh, signal: ctx.signal, wait: opts.wait ?? true, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
            return;
          }
          if (opts.wait === false || timeoutMs !== undefined) throw new UserError('--no-wait and --timeout are for workspace targets; the local target runs the update here, to the end.');
          const { runLocalPipeline } = await import('../../local/run-pipeline.ts');
          await runLocalPipeline({ model, projectRoot: root, pipelineKey: key, env, sink: renderer.sink, refresh });
          return;
        }
        const params = jobParams(opts);
        const only = onlyTasks(model, key, list(opts.only));
        const common = { model, projectRoot: root, jobKey: key, env, sink: renderer.sink, signal: ctx.signal, params, ...(only ? { only } : {}) };
        if (!model.target.local) {
          if (opts.continuous) {
            throw new UserError('--continuous is for the local target; on a workspace, set `continuous: true` on the pipeline and deploy.');
          }
          // Loaded on demand: the workspace client pulls in Azure identity and HTTP libraries a local run never uses.
          const { runRemoteJob } = await import('../../run/remote-run.ts');
          await runRemoteJob({
            ...common,
            resultViews: extensions.resultViews,
            wait: opts.wait ?? true,
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
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
        // Loaded on demand: the local engine pulls in DuckDB and the charting library.
        const { runLocalJob } = await import('../../local/run-local.ts');
        // Continuous runs last until stopped: SIGTERM ends them as cleanly as Ctrl-C.
        const stop = opts.continuous ? stopOnTerminate(ctx.signal) : undefined;
        try {
          await runLocalJob({
            ...common,
            ...(stop ? { signal: stop.signal } : {}),
            extensions,
            showResults: opts.showResults ?? true,
            continuous: opts.continuous === true,
            ...(opts.fullRefreshAll ? { fullRefresh: true } : {}),
            ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          });
        } finally {
          stop?.dispose();
        }
      } finally {
        renderer.close();
      }
    });
}
