// dbx-ts runs list|get|cancel|repair: thin commands over src/run/runs.ts; list and get also read local run history.
import type { Command } from 'commander';
import { UserError } from '../../errors/index.ts';
import type { EventSink } from '../../events/types.ts';
import { deployedIds } from '../../run/deployed-ids.ts';
import { parseDuration } from '../../run/options.ts';
import { cancelRuns, listJobRuns, parseRunRef, repairFailedTasks, showRun, type RunsContext } from '../../run/runs.ts';
import { workspaceClientFor } from '../../run/target-client.ts';
import { toInt64 } from '../../workspace/index.ts';
import type { CliContext } from '../context.ts';
import { outputOption, renderRequest } from '../output.ts';
import { loadProject, varOption, type Project } from '../project.ts';
import { resultsDocument } from '../render/renderer.ts';

/** The bundle resolved for a target, for commands that read results: resolution errors stop the command. */
export function loadTargetModel(ctx: CliContext, program: Command, opts: { target?: string; var?: string[] }, sink: EventSink): Promise<Project> {
  return loadProject(ctx, program, { target: opts.target, vars: opts.var, checks: 'resolve', missingVariables: 'ignore' }, sink);
}

interface RunsOptions {
  target?: string;
  var?: string[];
  json?: boolean;
  output?: string;
  limit?: string;
  active?: boolean;
  wait?: boolean;
  timeout?: string;
}

async function withRunsContext(ctx: CliContext, program: Command, opts: RunsOptions, body: (runs: RunsContext) => Promise<void>): Promise<void> {
  const renderer = ctx.renderer(renderRequest(opts));
  try {
    const { model, root, env } = await loadTargetModel(ctx, program, opts, renderer.sink);
    if (model.target.local) {
      throw new UserError(
        `dbx-ts runs cancel and repair work on workspace targets; "${model.target.name}" is local, where runs finish before the command returns.`,
        'Use dbx-ts runs list|get on the local target, or run the job again.',
      );
    }
    const client = workspaceClientFor(model, env, { events: renderer.sink });
    await body({ client, model, deployed: deployedIds({ client, model, repoRoot: root, env }), sink: renderer.sink });
    renderer.document(resultsDocument(renderer.results));
  } finally {
    renderer.close();
  }
}

/** `runs list|get` on the local target read the local run history; false when the target is a workspace. */
async function localRuns(ctx: CliContext, program: Command, opts: RunsOptions, verb: 'list' | 'get', ref: string): Promise<boolean> {
  const renderer = ctx.renderer(renderRequest(opts));
  try {
    const { model, root } = await loadTargetModel(ctx, program, opts, renderer.sink);
    if (!model.target.local) return false;
    const { localPaths } = await import('../../local/paths.ts');
    const { findLocalRun, listLocalRuns } = await import('../../local/run-history.ts');
    const dir = localPaths(root, ctx.env).runs;
    const time = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '');
    if (verb === 'list') {
      if (!model.resources.jobs[ref]) {
        throw new UserError(`No job "${ref}" in bundle "${model.bundle.name}".`, `Jobs: ${Object.keys(model.resources.jobs).join(', ') || '(none)'}.`);
      }
      const runs = await listLocalRuns(dir, ref, parseLimit(opts.limit));
      renderer.sink({
        code: 'table.preview',
        level: 'result',
        message: `Local runs of ${ref} (newest first):`,
        data: { table: dir, columns: ['run_id', 'result', 'started', 'duration_s'], rows: runs.map((r) => [r.run_id, r.result, time(r.started), ((r.ended - r.started) / 1000).toFixed(1)]) },
      });
      renderer.document(resultsDocument(renderer.results));
      return true;
    }
    const run = await findLocalRun(dir, ref);
    if (!run) throw new UserError(`No local run "${ref}" in ${dir}.`, 'List them with: dbx-ts runs list <job-key>');
    renderer.sink({
      code: 'table.preview',
      level: 'result',
      message: `Run ${run.run_id} of ${run.job_key}: ${run.result}`,
      data: {
        table: run.run_id,
        columns: ['task', 'result', 'start', 'end', 'detail'],
        rows: run.outcomes.map((o) => [o.task_key, o.result, time(o.start_time), time(o.end_time), o.error ?? o.message ?? '']),
      },
    });
    renderer.document(resultsDocument(renderer.results));
    return true;
  } finally {
    renderer.close();
  }
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 20;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UserError(`--limit ${text}: expected a whole number from 1 to 1000`);
  return n;
}

export function registerRuns(program: Command, ctx: CliContext): void {
  const runs = program.command('runs').description('List, inspect, cancel and repair runs of the bundle\'s jobs on a workspace target');
  const common = (command: Command) =>
    outputOption(varOption(command.option('-t, --target <name>', 'target (default: the bundle default)')), 'output type: text, or json for the runs and tasks shown').option('--json', 'print events as NDJSON');

  common(runs.command('list <job-key|run-id>').description('Recent runs of a job (or of the job a run belongs to), newest first'))
    .option('--limit <n>', 'how many runs (default 20)')
    .option('--active', 'only runs that have not finished')
    .action(async (ref: string, opts: RunsOptions) => {
      if (await localRuns(ctx, program, opts, 'list', ref)) return;
      await withRunsContext(ctx, program, opts, async (c) => {
        const parsed = parseRunRef(ref);
        let jobKey: string;
        if ('jobKey' in parsed) jobKey = parsed.jobKey;
        else {
          // A run id: list the runs of its job, named by the key the bundle gives that job.
          const run = await c.client.jobs.getRun({ run_id: toInt64(parsed.runId) });
          const jobId = run.job_id === undefined ? undefined : String(run.job_id);
          const keys = Object.keys(c.model.resources.jobs);
          const ids = await Promise.all(keys.map((k) => c.deployed('jobs', k)));
          const index = ids.findIndex((id) => id !== undefined && id === jobId);
          if (index < 0) throw new UserError(`Run ${parsed.runId} belongs to job ${jobId ?? '?'}, which this bundle did not deploy to target "${c.model.target.name}".`);
          jobKey = keys[index]!;
        }
        await listJobRuns(c, jobKey, { limit: parseLimit(opts.limit), activeOnly: opts.active === true });
      });
    });

  common(runs.command('get <job-key|run-id>').description('A run and its tasks (a job key means its latest run), with the errors of failed tasks')).action(
    async (ref: string, opts: RunsOptions) => {
      if (await localRuns(ctx, program, opts, 'get', ref)) return;
      await withRunsContext(ctx, program, opts, async (c) => {
        await showRun(c, parseRunRef(ref));
      });
    },
  );

  common(runs.command('cancel <job-key|run-id>').description('Cancel a run, or every active run of a job')).action(async (ref: string, opts: RunsOptions) => {
    await withRunsContext(ctx, program, opts, async (c) => {
      await cancelRuns(c, parseRunRef(ref));
    });
  });

  common(runs.command('repair <run-id>').description('Re-run the failed tasks of a run and everything that depends on them, then watch'))
    .option('--no-wait', 'request the repair and exit')
    .option('--timeout <duration>', 'cancel the run if the repair takes longer than this, e.g. 30m')
    .action(async (ref: string, opts: RunsOptions) => {
      const parsed = parseRunRef(ref);
      if (!('runId' in parsed)) throw new UserError(`runs repair takes a run id, not "${ref}"`, 'Find it with: dbx-ts runs list <job-key>');
      await withRunsContext(ctx, program, opts, async (c) => {
        await repairFailedTasks(c, parsed.runId, {
          wait: opts.wait ?? true,
          signal: ctx.signal,
          ...(opts.timeout !== undefined ? { timeoutMs: parseDuration(opts.timeout) } : {}),
        });
      });
    });
}
