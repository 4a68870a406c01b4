// dbx-ts plan | deploy | destroy | bind | unbind: thin commands over src/deploy. Prompts only on a terminal; in
// CI a plan that deletes or replaces needs --auto-approve (otherwise exit 2 with the list of what would go).
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { bindResource, unbindResource } from '../../deploy/bind.ts';
import { connectTarget } from '../../deploy/connect.ts';
import { DEFAULT_PARALLELISM, DEFAULT_UPLOAD_PARALLELISM, deployBundle, destroyBundle, planBundle, type DeployOptions, type DeployResult } from '../../deploy/deploy.ts';
import { planDocument, readPlanFile, refuseStalePlan, type PlanDocument } from '../../deploy/plan-file.ts';
import { UserError } from '../../errors/index.ts';
import { packageVersion } from '../../package-root.ts';
import type { CliContext } from '../context.ts';
import { outputOption, renderRequest } from '../output.ts';
import { loadProject, varOption } from '../project.ts';

export interface DeployCommandOptions {
  target?: string;
  var?: string[];
  parallelism?: string;
  uploadParallelism?: string;
  autoApprove?: boolean;
  forceLock?: boolean;
  json?: boolean;
  output?: string;
  select?: string[];
  plan?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The -o json document of plan, deploy and destroy: the plan (a plan file), and what was applied. */
function resultDocument(result: DeployResult, opts: DeployCommandOptions): PlanDocument & { applied?: { done: string[]; skipped: string[] } } {
  const doc = planDocument(result.plan, result.basis, { cliVersion: packageVersion(), ...(opts.select ? { select: opts.select.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) } : {}) });
  if (!result.applied) return doc;
  return { ...doc, applied: { done: result.applied.done.map((a) => `resources.${a.address}`), skipped: result.applied.skipped.map((a) => `resources.${a.address}`) } };
}

/** A limit on calls in flight from its flag, else its environment variable, else the default. */
function parseLimit(flag: string, flagValue: string | undefined, envName: string, env: Record<string, string | undefined>, fallback: number, max: number): number {
  const [text, source] = flagValue !== undefined ? [flagValue, flag] : env[envName] !== undefined && env[envName] !== '' ? [env[envName]!, envName] : [undefined, ''];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UserError(`${source} ${text}: expected a whole number from 1 to ${max}`);
  return n;
}

/** A yes/no question on the terminal, or undefined when there is no terminal to ask on. */
function terminalConfirm(ctx: CliContext): DeployOptions['confirm'] {
  if (!ctx.stdout.isTTY || !process.stdin.isTTY || ctx.env['CI']) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`${question} [y/N] `, { signal: ctx.signal });
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  };
}

type Engine = (options: DeployOptions) => Promise<unknown>;

function isDeployResult(value: unknown): value is DeployResult {
  return typeof value === 'object' && value !== null && 'plan' in value && 'basis' in value;
}

async function runEngine(ctx: CliContext, program: Command, opts: DeployCommandOptions, engine: Engine): Promise<void> {
  const renderer = ctx.renderer(renderRequest(opts));
  try {
    const { model, root, env, vars } = await loadProject(
      ctx,
      program,
      { target: opts.target, vars: opts.var, checks: 'full', missingVariables: 'error' },
      renderer.sink,
    );
    const connection = await connectTarget(model.target, { env, repoRoot: root, events: renderer.sink });
    try {
      const confirm = terminalConfirm(ctx);
      const reviewed = opts.plan === undefined ? undefined : { path: opts.plan, doc: await readPlanFile(opts.plan) };
      const select = reviewed?.doc.select ?? opts.select;
      if (reviewed && opts.select) throw new UserError('--select and --plan cannot be used together', 'The plan file already says what it acts on (it keeps the --select it was made with).');
      const result = await engine({
        model,
        repoRoot: root,
        client: connection.client,
        creator: connection.creator,
        sink: renderer.sink,
        vars,
        env,
        parallelism: parseLimit('--parallelism', opts.parallelism, 'DBX_TS_PARALLELISM', env, DEFAULT_PARALLELISM, 64),
        uploadParallelism: parseLimit('--upload-parallelism', opts.uploadParallelism, 'DBX_TS_UPLOAD_PARALLELISM', env, DEFAULT_UPLOAD_PARALLELISM, 128),
        signal: ctx.signal,
        autoApprove: opts.autoApprove === true,
        forceLock: opts.forceLock === true,
        ...(confirm ? { confirm } : {}),
        ...(select ? { select } : {}),
        ...(reviewed
          ? {
              reviewedPlan: (plan, basis) =>
                refuseStalePlan(reviewed.path, reviewed.doc, planDocument(plan, basis, { cliVersion: packageVersion(), ...(select ? { select } : {}) })),
            }
          : {}),
      });
      if (renderer.wantsDocument && isDeployResult(result)) renderer.document(resultDocument(result, { ...opts, ...(select ? { select } : {}) }));
    } finally {
      await connection.close();
    }
  } finally {
    renderer.close();
  }
}

function commonOptions(command: Command): Command {
  return outputOption(varOption(command.option('-t, --target <name>', 'target (default: the bundle default)')))
    .option('--parallelism <n>', `resource API calls in flight at once (default ${DEFAULT_PARALLELISM}; env DBX_TS_PARALLELISM)`)
    .option('--upload-parallelism <n>', `file uploads in flight at once (default ${DEFAULT_UPLOAD_PARALLELISM}; env DBX_TS_UPLOAD_PARALLELISM)`)
    .option('--json', 'print events as NDJSON');
}

function selectOption(command: Command): Command {
  return command.option('--select <keys>', 'act on these resources only (comma-separated keys, e.g. unified-workflow,bronze; repeatable), and the files they use', collect);
}

export function registerDeploy(program: Command, ctx: CliContext): void {
  selectOption(commonOptions(program.command('plan').description('Show what deploy would create, update, replace or delete, field by field (reads only); -o json writes a plan file for deploy --plan'))).action(
    async (opts: DeployCommandOptions) => {
      await runEngine(ctx, program, opts, (o) => planBundle(o));
    },
  );

  selectOption(commonOptions(program.command('deploy').description('Deploy the bundle: plan, then apply in dependency order; safe to run again')))
    .option('--plan <file>', 'apply this reviewed plan (dbx-ts plan -o json > plan.json) and nothing else; refused if the bundle or the workspace changed since')
    .option('--auto-approve', 'approve deletions and replacements without asking (needed in CI)')
    .option('--force-lock', 'take over the deploy lock from a deploy that is no longer running')
    .action(async (opts: DeployCommandOptions) => {
      await runEngine(ctx, program, opts, deployBundle);
    });

  commonOptions(program.command('destroy').description('Delete everything the bundle deployed on the target, and its bundle folder'))
    .option('--auto-approve', 'do not ask for confirmation (needed in CI)')
    .option('--force-lock', 'take over the deploy lock from a deploy that is no longer running')
    .action(async (opts: DeployCommandOptions) => {
      await runEngine(ctx, program, opts, destroyBundle);
    });

  commonOptions(
    program
      .command('bind')
      .argument('<resource-key>', "the resource's key in the bundle (e.g. bronze, or schemas.bronze)")
      .argument('<id>', 'the id of the existing object (job id, pipeline id, scope name, <catalog>.<schema>, ...)')
      .description('Make an existing workspace object this resource of the bundle on the target: the next deploy applies the bundle to it'),
  )
    .option('--auto-approve', 'bind even when the next deploy would change the object, without asking')
    .option('--force-lock', 'take over the deploy lock from a deploy that is no longer running')
    .action(async (key: string, id: string, opts: DeployCommandOptions) => {
      await runEngine(ctx, program, opts, (o) => bindResource({ ...o, key, id }));
    });

  commonOptions(
    program
      .command('unbind')
      .argument('<resource-key>', "the resource's key in the bundle")
      .description('Stop managing the object bound to a resource on the target (it stays in the workspace)'),
  )
    .option('--force-lock', 'take over the deploy lock from a deploy that is no longer running')
    .action(async (key: string, opts: DeployCommandOptions) => {
      await runEngine(ctx, program, opts, (o) => unbindResource({ ...o, key }));
    });
}
