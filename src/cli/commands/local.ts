import { randomBytes } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors/index.ts';
import type { CliContext } from '../context.ts';

interface ServeFlags {
  port?: string;
  dir?: string;
  latency?: string;
}

/** Waits until the signal aborts. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function registerLocal(program: Command, ctx: CliContext): void {
  const local = program.command('local').description('The local workspace: an emulator of the Databricks REST APIs');
  local
    .command('serve')
    .description('Serve the local workspace over HTTP on 127.0.0.1 (for your own CI and tests) until Ctrl-C')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .option('--dir <dir>', 'where the workspace state is kept (default: .dbx-ts/local/workspace)')
    .option('--latency <ms>', 'delay every response, to model a remote workspace')
    .action(async (flags: ServeFlags) => {
      const port = flags.port === undefined ? 0 : Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UserError(`--port must be a port number, got "${flags.port}".`);
      const latencyMs = flags.latency === undefined ? 0 : Number(flags.latency);
      if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new UserError(`--latency must be milliseconds >= 0, got "${flags.latency}".`);
      const { LOCAL_WORKSPACE_DIR } = await import('../../deploy/local.ts');
      const { loadStateFromDir, saveStateToDir, startFakeWorkspace } = await import('../../emulator/index.ts');
      const dir = resolvePath(ctx.cwd, flags.dir ?? LOCAL_WORKSPACE_DIR);
      const state = await loadStateFromDir(dir).catch(() => undefined);
      // A token per start, printed once: anything on this machine that has it can use the workspace.
      const token = `dbx-ts-local-${randomBytes(16).toString('hex')}`;
      const workspace = await startFakeWorkspace({
        port,
        latencyMs,
        tokens: [{ token, kind: 'aad' }],
        ...(state ? { state } : {}),
      });
      ctx.stdout.write(
        `Local workspace listening on ${workspace.url} (state in ${dir})\n` +
          `  export DATABRICKS_HOST=${workspace.url}\n  export DATABRICKS_TOKEN=${token}\n` +
          'Ctrl-C saves the state and stops.\n',
      );
      await untilAborted(ctx.signal);
      await saveStateToDir(workspace.state, dir);
      await workspace.close();
      ctx.stdout.write('Local workspace stopped; state saved.\n');
    });
}
