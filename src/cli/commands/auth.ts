// dbx-ts auth whoami|describe: which auth method and profile are used, why, and as whom. Never a secret.
import type { Command } from 'commander';
import { connectTarget, type Connection } from '../../deploy/connect.ts';
import { UserError } from '../../errors/index.ts';
import { resolve } from '../../model/resolve.ts';
import type { TargetModel } from '../../model/types.ts';
import { createWorkspaceClient, targetWorkspace, type AuthDescription, type WorkspaceClient } from '../../workspace/index.ts';
import type { CliContext } from '../context.ts';
import { loadBundle } from '../load-bundle.ts';
import { authReportJson, authReportText, type AuthReport } from '../render/auth-description.ts';
import { profileFlag } from '../selection.ts';

interface AuthOptions {
  target?: string;
  authType?: string;
}

/** The target's workspace settings when -t (or DATABRICKS_BUNDLE_TARGET) names one; undefined for the environment alone. */
async function targetFor(ctx: CliContext, program: Command, name: string | undefined): Promise<TargetModel | undefined> {
  if (name === undefined) return undefined;
  const loaded = await loadBundle(ctx.cwd, program.opts<{ bundle?: string }>().bundle);
  return resolve(loaded.bundle, name).model.target;
}

/** A client for the target, or for the environment and ~/.databrickscfg as the SDKs resolve them. */
async function open(ctx: CliContext, target: TargetModel | undefined, opts: AuthOptions, retries = true): Promise<Connection> {
  const authType = opts.authType ? { authType: opts.authType } : {};
  if (target?.local) return connectTarget(target, { env: ctx.env, repoRoot: ctx.cwd, ...authType });
  const client = createWorkspaceClient({
    env: ctx.env,
    ...authType,
    ...(target === undefined ? {} : { target: targetWorkspace(target) }),
    ...(retries ? {} : { retry: { timeoutMs: 0 } }),
  });
  return { client, creator: client, close: async () => {}, local: false };
}

/** -p reaches the resolver as DATABRICKS_CONFIG_PROFILE; say it came from the flag. */
function creditProfileFlag(description: AuthDescription, flag: string | undefined): AuthDescription {
  const profile = description.configuration['profile'];
  if (flag === undefined || profile?.source.name !== 'DATABRICKS_CONFIG_PROFILE') return description;
  return {
    ...description,
    profile_reason: 'named by -p/--profile',
    configuration: { ...description.configuration, profile: { value: profile.value, source: { kind: 'option', name: '-p/--profile' } } },
  };
}

async function verify(client: WorkspaceClient): Promise<Pick<AuthReport, 'user' | 'error'> & { failure?: unknown }> {
  try {
    const me = await client.scim.me();
    return { user: { user_name: me.userName, id: me.id, ...(me.displayName ? { display_name: me.displayName } : {}) } };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), failure: error };
  }
}

export function registerAuth(program: Command, ctx: CliContext): void {
  const auth = program.command('auth').description('Authentication: which method and profile are used, why, and as whom');
  auth
    .command('describe')
    .description('Say which auth method and profile are chosen and why (which variables and profile fields led there), and verify them; never a secret')
    .option('-t, --target <name>', "use this target's host and profile (default: DATABRICKS_BUNDLE_TARGET, else the environment alone)")
    .option('--auth-type <type>', 'force an auth method (as DATABRICKS_AUTH_TYPE)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (opts: AuthOptions & { output: string }) => {
      if (opts.output !== 'text' && opts.output !== 'json') throw new UserError(`Unknown output format "${opts.output}"`, 'Use -o text or -o json.');
      const target = await targetFor(ctx, program, opts.target);
      if (target?.local) throw new UserError(`Target "${target.name}" is local: it runs on this machine and needs no workspace credentials.`, 'Pick a workspace target with -t.');
      const connection = await open(ctx, target, opts, false);
      const { failure, ...result } = await verify(connection.client);
      const report: AuthReport = { description: creditProfileFlag(connection.client.auth, profileFlag(program)), ...result };
      ctx.stdout.write(opts.output === 'json' ? authReportJson(report) : authReportText(report));
      if (failure !== undefined) throw failure;
    });
  auth
    .command('whoami')
    .description('Say which auth method is used and as whom (never the token)')
    .option('-t, --target <name>', "use this target's host and profile (default: DATABRICKS_BUNDLE_TARGET, else the environment alone)")
    .option('--auth-type <type>', 'force an auth method (as DATABRICKS_AUTH_TYPE)')
    .option('--json', 'print the result as NDJSON')
    .action(async (opts: AuthOptions & { json?: boolean }) => {
      const renderer = ctx.renderer(opts.json);
      try {
        const connection = await open(ctx, await targetFor(ctx, program, opts.target), opts);
        try {
          const me = await connection.client.scim.me();
          const d = creditProfileFlag(connection.client.auth, profileFlag(program));
          const profile = d.profile ? `, profile ${d.profile}${d.config_file ? ` in ${d.config_file}` : ''}` : '';
          renderer.sink({
            code: 'log',
            level: 'info',
            message: `${d.host}: authenticated as ${me.userName}${me.displayName && me.displayName !== me.userName ? ` (${me.displayName})` : ''} with ${d.auth_type}${profile}`,
            data: { host: d.host, auth_type: d.auth_type, ...(d.profile ? { profile: d.profile } : {}), user_name: me.userName, user_id: me.id },
          });
        } finally {
          await connection.close();
        }
      } finally {
        renderer.close();
      }
    });
}
