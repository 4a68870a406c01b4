// dbx-ts plan | deploy | destroy | bind | unbind: thin commands over src/deploy. Prompts only on a terminal; in
// CI a plan that deletes or replaces needs --auto-approve (otherwise exit 2 with the list of what would go).
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { bindResource, unbindResource } from '../../deploy/bind.ts';
import { connectTarget } from '../../deploy/connect.ts';
import { DEFAULT_PARALLELISM, deployBundle, destroyBundle, planBundle, type DeployOptions } from '../../deploy/deploy.ts';
import { UserError } from '../../errors/index.ts';
import type { CliContext } from '../context.ts';
import { loadProject, varOption } from '../project.ts';

export interface DeployCommandOptions {
  target?: string;
  var?: string[];
  parallelism?: string;
  autoApprove?: boolean;
  forceLock?: boolean;
  json?: boolean;
}

function parseParallelism(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PARALLELISM;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UserError(`--parallelism ${text}: expected a whole number from 1 to 64`);
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

async function runEngine(ctx: CliContext, program: Command, opts: DeployCommandOptions, engine: Engine): Promise<void> {
  const renderer = ctx.renderer(opts.json);
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
      await engine({
        model,
        repoRoot: root,
        client: connection.client,
        creator: connection.creator,
        sink: renderer.sink,
        vars,
        env,
        parallelism: parseParallelism(opts.parallelism),
        signal: ctx.signal,
        autoApprove: opts.autoApprove === true,
        forceLock: opts.forceLock === true,
        ...(confirm ? { confirm } : {}),
      });
    } finally {
      await connection.close();
    }
  } finally {
    renderer.close();
  }
}

function commonOptions(command: Command): Command {
  return varOption(command.option('-t, --target <name>', 'target (default: the bundle default)'))
    .option('--parallelism <n>', `API calls in flight at once (default ${DEFAULT_PARALLELISM})`)
    .option('--json', 'print events as NDJSON');
}

export function registerDeploy(program: Command, ctx: CliContext): void {
  commonOptions(program.command('plan').description('Show what deploy would create, update, replace or delete, field by field (reads only)')).action(
    async (opts: DeployCommandOptions) => {
      await runEngine(ctx, program, opts, (o) => planBundle(o));
    },
  );

  commonOptions(program.command('deploy').description('Deploy the bundle: plan, then apply in dependency order; safe to run again'))
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
