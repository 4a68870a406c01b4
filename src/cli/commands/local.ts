// `dbx-ts local serve`: the local workspace over HTTP for the user's own CI and tests. Every change is on
// disk before the client hears back, so Ctrl-C, SIGTERM, a crash or an out-of-memory kill lose nothing.
import { randomBytes } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors/index.ts';
import type { CliContext } from '../context.ts';
import { loadProject } from '../project.ts';

interface ServeFlags {
  port?: string;
  dir?: string;
  latency?: string;
  token?: string;
  clientId?: string;
  clientSecret?: string;
}

const PARENT_CHECK_MS = 500;

/**
 * Waits until the signal aborts, the process is asked to terminate (SIGTERM, e.g. `kill`), or, when started
 * through npm's wrapper (`npx dbx-ts local serve &`), that wrapper is gone: `kill $!` reaches npm, which
 * does not pass the signal on, so the server follows its parent instead of running on unowned.
 */
function untilStopped(signal: AbortSignal, parent: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const watch = parent !== undefined ? setInterval(() => process.ppid !== parent && stop(), PARENT_CHECK_MS).unref() : undefined;
    const stop = () => {
      clearInterval(watch);
      process.off('SIGTERM', stop);
      signal.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    signal.addEventListener('abort', stop, { once: true });
  });
}

function parsePort(value: string | undefined): number {
  const port = value === undefined ? 0 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UserError(`--port must be a port number (0 for a free one), got "${value}".`);
  return port;
}

/** A bearer token is one header value: printable, no spaces. */
function checkToken(token: string): string {
  if (!/^[\x21-\x7e]{8,}$/.test(token)) throw new UserError('--token must be at least 8 printable characters without spaces.');
  return token;
}

export function registerLocal(program: Command, ctx: CliContext): void {
  const local = program.command('local').description('The local workspace: an emulator of the Databricks REST APIs');
  local
    .command('serve')
    .description('Serve the local workspace over HTTP on 127.0.0.1 (for your own CI and tests) until Ctrl-C or SIGTERM')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .option('--dir <dir>', 'where the workspace state is kept (default: .dbx-ts/local/workspace, shared with -t local)')
    .option('--token <token>', 'the bearer token clients use (default: a new random one, printed)')
    .option('--client-id <id>', 'a service principal that may log in with OAuth M2M at /oidc/v1/token (with --client-secret)')
    .option('--client-secret <secret>', 'the OAuth secret of --client-id')
    .option('--latency <ms>', 'delay every response, to model a remote workspace')
    .action(async (flags: ServeFlags) => {
      // Read first: the wrapper may be killed while the server is still starting.
      const npmParent = ctx.env['npm_command'] !== undefined ? process.ppid : undefined;
      const port = parsePort(flags.port);
      const latencyMs = flags.latency === undefined ? 0 : Number(flags.latency);
      if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new UserError(`--latency must be milliseconds >= 0, got "${flags.latency}".`);
      if ((flags.clientId === undefined) !== (flags.clientSecret === undefined)) throw new UserError('--client-id and --client-secret go together.');
      const token = flags.token !== undefined ? checkToken(flags.token) : `dbx-ts-local-${randomBytes(16).toString('hex')}`;
      const { startFakeWorkspace } = await import('../../emulator/index.ts');
      const { localEngineExecutor } = await import('../../local/served/executor.ts');
      const { localWarehouse } = await import('../../local/served/warehouse.ts');
      const { localCertificate } = await import('../../emulator/sql/certificate.ts');
      const { LOCAL_WORKSPACE_DIR, localPaths } = await import('../../local/paths.ts');
      const { loadBundle } = await import('../load-bundle.ts');
      const dir = resolvePath(ctx.cwd, flags.dir ?? LOCAL_WORKSPACE_DIR);
      const renderer = ctx.renderer(false);
      // Runs execute their tasks on the local engine, with the project in this directory loaded for the target each
      // job was deployed to, as `dbx-ts run -t <target>` would load it.
      const executor = localEngineExecutor({
        project: {
          load: async (target) => {
            const project = await loadProject(ctx, program, { target, checks: 'resolve', missingVariables: 'error' }, renderer.sink);
            return { model: project.model, extensions: project.extensions, root: project.root, env: project.env };
          },
        },
        sink: renderer.sink,
      });
      // The project whose DuckDB databases the warehouse reads: the one in this directory (as runs use).
      let root: Promise<string> | undefined;
      const projectRoot = () => (root ??= loadBundle(ctx.cwd, program.opts<{ bundle?: string }>().bundle).then((b) => b.root, () => ctx.cwd));
      // @databricks/sql only speaks https: the server answers TLS on the same port, with a certificate of its own.
      const certificate = await localCertificate(dir);
      const workspace = await startFakeWorkspace({
        port,
        latencyMs,
        dir,
        lockCommand: 'dbx-ts local serve',
        runs: executor,
        tls: { key: certificate.key, cert: certificate.cert },
        warehouseBackend: localWarehouse(async () => localPaths(await projectRoot(), ctx.env).database),
        // `aad`: the token may create Azure Key Vault-backed scopes, as an Entra ID login can.
        tokens: [{ token, kind: 'aad' }],
        ...(flags.clientId !== undefined ? { oauthClients: [{ client_id: flags.clientId, client_secret: flags.clientSecret! }] } : {}),
        // The local workspace's metastore is the local engine: every catalog exists.
        catalogsOnDemand: true,
      });
      ctx.stdout.write(
        `Local workspace listening on ${workspace.url} (state in ${dir}, written as it changes)\n` +
          `  export DATABRICKS_HOST=${workspace.url}\n` +
          (flags.token === undefined ? `  export DATABRICKS_TOKEN=${token}\n` : '  export DATABRICKS_TOKEN=<the --token you gave>\n') +
          `SQL warehouse local (for @databricks/sql): https on the same port, /sql/1.0/warehouses/local, certificate ${certificate.certFile}\n` +
          'Ctrl-C or SIGTERM stops it.\n',
      );
      await untilStopped(ctx.signal, npmParent);
      await workspace.close();
      renderer.close();
      ctx.stdout.write('Local workspace stopped.\n');
    });
}
