// The dbx-ts command line: thin commands over the engine; exit codes decided here.
import { Command, CommanderError } from 'commander';
import { DiagnosticsError, RemoteApiError, UserError } from '../errors/index.ts';
import { packageVersion } from '../package-root.ts';
import { redactingOutput, secrets } from '../redaction/index.ts';
import { makeContext, type CliContext, type RegisterCommand } from './context.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { colourEnabled, makeStyle, type Style } from './render/style.ts';
import { installSelection } from './selection.ts';

type Loader = () => Promise<RegisterCommand>;

/**
 * Commands by name, loaded on demand: a command's module pulls in what it needs (DuckDB, the LLM client,
 * the charting library, Azure identity), and `dbx-ts build` should not pay for `dbx-ts run`.
 */
const COMMANDS: Record<string, Loader> = {
  build: async () => (await import('./commands/build.ts')).registerBuild,
  validate: async () => (await import('./commands/validate.ts')).registerValidate,
  init: async () => (await import('./commands/init.ts')).registerInit,
  run: async () => (await import('./commands/run.ts')).registerRun,
  plan: async () => (await import('./commands/deploy.ts')).registerDeploy,
  deploy: async () => (await import('./commands/deploy.ts')).registerDeploy,
  destroy: async () => (await import('./commands/deploy.ts')).registerDeploy,
  bind: async () => (await import('./commands/deploy.ts')).registerDeploy,
  unbind: async () => (await import('./commands/deploy.ts')).registerDeploy,
  auth: async () => (await import('./commands/auth.ts')).registerAuth,
  secrets: async () => (await import('./commands/secrets.ts')).registerSecrets,
  runs: async () => (await import('./commands/runs.ts')).registerRuns,
  query: async () => (await import('./commands/query.ts')).registerQuery,
  show: async () => (await import('./commands/show.ts')).registerShow,
  simulate: async () => (await import('./commands/simulate.ts')).registerSimulate,
  local: async () => (await import('./commands/local.ts')).registerLocal,
  import: async () => (await import('./commands/import.ts')).registerImport,
  generate: async () => (await import('./commands/generate.ts')).registerGenerate,
  summary: async () => (await import('./commands/summary.ts')).registerSummary,
  open: async () => (await import('./commands/summary.ts')).registerSummary,
  dashboard: async () => (await import('./commands/dashboard.ts')).registerDashboard,
};

/** The command a command line asks for (`help <command>` counts), or undefined for help and unknown words. */
export function requestedCommand(argv: readonly string[]): string | undefined {
  const words: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--bundle' || arg === '-p' || arg === '--profile' || arg === '--log-level') i += 1;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  const name = words[0] === 'help' ? words[1] : words[0];
  return name && name in COMMANDS ? name : undefined;
}

/** Registers the one command asked for, or every command (for help, and to report unknown ones). */
async function registerCommands(program: Command, ctx: CliContext, argv: readonly string[]): Promise<void> {
  const name = requestedCommand(argv);
  if (!name && (argv.includes('--version') || argv.includes('-V'))) return;
  const loaders = name ? [COMMANDS[name]!] : [...new Set(Object.values(COMMANDS))];
  const registered = new Set<RegisterCommand>();
  for (const load of loaders) {
    const register = await load();
    if (registered.has(register)) continue;
    registered.add(register);
    register(program, ctx);
  }
}

export async function buildProgram(ctx: CliContext, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('dbx-ts')
    .description('Define Databricks lakehouse pipelines in TypeScript: build, deploy, run, and run locally on DuckDB')
    .version(packageVersion(), '-V, --version', 'print the dbx-ts version')
    .option('--bundle <file>', 'bundle definition file (default: package.json "dbx-ts".bundle, or bundle.ts)')
    .option('--debug', 'show debug events (HTTP requests, retries) on stderr or in the --json stream')
    .option('--log-level <level>', 'debug shows debug events; info, warn and error are the default')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .showHelpAfterError();
  installSelection(program, ctx);
  program.hook('preAction', () => {
    const { debug, logLevel } = program.opts<{ debug?: boolean; logLevel?: string }>();
    if (logLevel !== undefined && !['trace', 'debug', 'info', 'warn', 'error', 'disabled'].includes(logLevel.toLowerCase())) {
      throw new UserError(`--log-level ${logLevel}: expected one of trace, debug, info, warn, error, disabled`);
    }
    ctx.debug = debug === true || ['trace', 'debug'].includes(logLevel?.toLowerCase() ?? '');
  });
  await registerCommands(program, ctx, argv);
  return program;
}

function describe(error: unknown, style: Style): string {
  const label = style.red(style.bold('error:'));
  if (error instanceof UserError) return `${label} ${error.message}${error.hint ? `\n  ${error.hint}` : ''}\n`;
  if (error instanceof DiagnosticsError) return `${label} ${error.message}\n`;
  if (error instanceof RemoteApiError) {
    const d = error.details;
    const where = d.method && d.path ? ` (${d.method} ${d.path})` : '';
    return `${label} ${error.message}${d.error_code ? ` [${d.error_code}]` : ''}${where}\n`;
  }
  if (error instanceof Error) return `${label} ${error.message}\n`;
  return `${label} ${thrownValue(error)}\n`;
}

/** Something thrown that is not an Error (a string, undefined, an object): shown as well as it can be. */
function thrownValue(value: unknown): string {
  if (value === undefined || value === null) return `a bundle or command threw ${String(value)} instead of an Error`;
  if (typeof value === 'string') return value;
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

let brokenPipeHandled = false;

/**
 * `dbx-ts ... | head`: once the reader has gone, nobody can see anything more, so the command ends at once and
 * quietly (no stack trace for the EPIPE Node raises on the next write). A deploy cut short this way leaves
 * its lock to be taken over by the next deploy (the process is gone) and its state saved after each call.
 */
function endQuietlyOnBrokenPipe(): void {
  if (brokenPipeHandled) return;
  brokenPipeHandled = true;
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.brokenPipe);
    throw error;
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}

export async function main(argv: string[], overrides: Partial<Parameters<typeof makeContext>[0]> = {}): Promise<number> {
  if (!overrides.stdout) endQuietlyOnBrokenPipe();
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort(new Error('interrupted'));
  };
  if (!overrides.signal) process.on('SIGINT', onSigint);
  const options = { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr, signal: controller.signal, ...overrides };
  // Redaction at the edge: the secrets of the environment are known from the start, the rest as they are read;
  // whatever the command prints passes through the registry.
  secrets.registerEnv(options.env);
  const ctx = makeContext({ ...options, stdout: redactingOutput(options.stdout), stderr: redactingOutput(options.stderr) });
  try {
    await (await buildProgram(ctx, argv)).parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    ctx.stderr.write(describe(error, makeStyle(colourEnabled(ctx.env, ctx.stderr.isTTY))));
    const code = exitCodeFor(error);
    if (code === EXIT.internal && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
