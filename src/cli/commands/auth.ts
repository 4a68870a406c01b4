// dbx-ts auth whoami: which auth method was used and as whom (SCIM Me). Never the token.
import type { Command } from 'commander';
import { connectTarget } from '../../deploy/connect.ts';
import { resolve } from '../../model/resolve.ts';
import type { TargetModel } from '../../model/types.ts';
import type { CliContext } from '../context.ts';
import { loadBundle } from '../load-bundle.ts';

/** The target's workspace settings when -t is given; the environment alone otherwise. */
async function targetFor(ctx: CliContext, bundleFile: string | undefined, name: string | undefined): Promise<TargetModel> {
  if (name === undefined) return { name: '(environment)', local: false, workspace: {}, variables: {} };
  const loaded = await loadBundle(ctx.cwd, bundleFile);
  return resolve(loaded.bundle, name).model.target;
}

export function registerAuth(program: Command, ctx: CliContext): void {
  const auth = program.command('auth').description('Authentication helpers');
  auth
    .command('whoami')
    .description('Say which auth method is used and as whom (never the token)')
    .option('-t, --target <name>', "use this target's host and profile")
    .option('--auth-type <type>', 'force an auth method (as DATABRICKS_AUTH_TYPE)')
    .option('--json', 'print the result as NDJSON')
    .action(async (opts: { target?: string; authType?: string; json?: boolean }) => {
      const renderer = ctx.renderer(opts.json);
      try {
        const target = await targetFor(ctx, program.opts<{ bundle?: string }>().bundle, opts.target);
        const connection = await connectTarget(target, { env: ctx.env, repoRoot: ctx.cwd, ...(opts.authType ? { authType: opts.authType } : {}) });
        try {
          const me = await connection.client.scim.me();
          const d = connection.client.auth;
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
