// The dbx-ts command line: thin commands over the engine; exit codes decided here.
import { Command, CommanderError } from 'commander';
import { DiagnosticsError, RemoteApiError, UserError } from '../errors/index.ts';
import { registerAuth } from './commands/auth.ts';
import { registerBuild } from './commands/build.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerInit } from './commands/init.ts';
import { registerQuery } from './commands/query.ts';
import { registerRun } from './commands/run.ts';
import { registerRuns } from './commands/runs.ts';
import { registerSecrets } from './commands/secrets.ts';
import { registerShow } from './commands/show.ts';
import { registerValidate } from './commands/validate.ts';
import { makeContext, type CliContext, type RegisterCommand } from './context.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';

const COMMANDS: RegisterCommand[] = [registerBuild, registerValidate, registerInit, registerRun, registerDeploy, registerAuth, registerSecrets, registerRuns, registerQuery, registerShow];

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('dbx-ts')
    .description('Define Databricks lakehouse pipelines in TypeScript: build, deploy, run, and run locally on DuckDB')
    .option('--bundle <file>', 'bundle definition file (default: package.json "dbx-ts".bundle, or bundle.ts)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .showHelpAfterError();
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

function describe(error: unknown): string {
  if (error instanceof UserError) return `error: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}\n`;
  if (error instanceof DiagnosticsError) return `error: ${error.message}\n`;
  if (error instanceof RemoteApiError) {
    const d = error.details;
    const where = d.method && d.path ? ` (${d.method} ${d.path})` : '';
    return `error: ${error.message}${d.error_code ? ` [${d.error_code}]` : ''}${where}\n`;
  }
  if (error instanceof Error) return `error: ${error.message}\n`;
  return `error: ${String(error)}\n`;
}

export async function main(argv: string[], overrides: Partial<Parameters<typeof makeContext>[0]> = {}): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort(new Error('interrupted'));
  };
  if (!overrides.signal) process.on('SIGINT', onSigint);
  const ctx = makeContext({
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
    ...overrides,
  });
  try {
    await buildProgram(ctx).parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    ctx.stderr.write(describe(error));
    const code = exitCodeFor(error);
    if (code === EXIT.internal && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
