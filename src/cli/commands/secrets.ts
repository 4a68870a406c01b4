// dbx-ts secrets check | sync: are the bundle's secrets there, and copy secrets from Azure Key Vault into a
// Databricks-backed scope. Values are never printed.
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { Command } from 'commander';
import { connectTarget } from '../../deploy/connect.ts';
import { checkSecrets, secretReferences, type SecretReference } from '../../deploy/secrets-check.ts';
import { UserError } from '../../errors/index.ts';
import type { EventSink } from '../../events/types.ts';
import { checkVaultUrl, syncFromKeyVault } from '../../deploy/secrets-sync.ts';
import { resolve } from '../../model/resolve.ts';
import type { TargetModel } from '../../model/types.ts';
import type { CliContext } from '../context.ts';
import { loadBundle } from '../load-bundle.ts';
import { loadProject, varOption } from '../project.ts';

/** ARM_* (as for Databricks' Entra ID auth) when set; else DefaultAzureCredential (AZURE_* variables, managed identity, `az login`). */
function keyVaultCredential(env: Record<string, string | undefined>): TokenCredential {
  const { ARM_TENANT_ID: tenant, ARM_CLIENT_ID: clientId, ARM_CLIENT_SECRET: secret } = env;
  if (tenant && clientId && secret) return new ClientSecretCredential(tenant, clientId, secret);
  return new DefaultAzureCredential();
}

/** The local target reads secrets from DBX_TS_SECRET_<SCOPE>__<KEY> or .dbx-ts/local/secrets.json. */
async function checkLocalSecrets(ctx: CliContext, root: string, refs: SecretReference[], sink: EventSink): Promise<void> {
  const { localPaths } = await import('../../local/paths.ts');
  const { loadLocalSecrets, secretEnvName } = await import('../../local/secrets.ts');
  const file = localPaths(root, ctx.env).secretsFile;
  const local = await loadLocalSecrets(file, ctx.env);
  const missing = refs.filter((r) => local.get(r.scope, r.key) === undefined);
  for (const r of refs) {
    const found = !missing.includes(r);
    sink({
      code: 'log',
      level: found ? 'info' : 'warn',
      message: `${found ? 'found' : 'missing'} ${r.scope}/${r.key}${found ? '' : ` (set ${secretEnvName(r.scope, r.key)} or add it to ${file})`}`,
      data: { scope: r.scope, key: r.key, found },
    });
  }
  if (missing.length > 0) {
    throw new UserError(
      `${missing.length} of ${refs.length} secret(s) the bundle uses have no local value.`,
      'Local runs work without them where the bundle allows it (a local notebook implementation may do without a secret).',
    );
  }
}

export function registerSecrets(program: Command, ctx: CliContext): void {
  const secrets = program.command('secrets').description('Check and sync the secrets the bundle uses');

  varOption(
    secrets
      .command('check')
      .description('Check that every secret the bundle refers to exists in its scope')
      .option('-t, --target <name>', 'target (default: the bundle default)'),
  )
    .option('--json', 'print events as NDJSON')
    .action(async (opts: { target?: string; var?: string[]; json?: boolean }) => {
      const renderer = ctx.renderer(opts.json);
      try {
        const { model, root, env } = await loadProject(
          ctx,
          program,
          { target: opts.target, vars: opts.var, checks: 'resolve', missingVariables: 'ignore' },
          renderer.sink,
        );
        const refs = secretReferences(model, { env });
        if (model.target.local) {
          await checkLocalSecrets(ctx, root, refs, renderer.sink);
          return;
        }
        const connection = await connectTarget(model.target, { env, repoRoot: root });
        try {
          await checkSecrets(connection.client, refs, renderer.sink);
        } finally {
          await connection.close();
        }
      } finally {
        renderer.close();
      }
    });

  secrets
    .command('sync')
    .description('Copy secrets from Azure Key Vault into a Databricks-backed scope (created if missing)')
    .requiredOption('--from-keyvault <vault-url>', 'the vault, e.g. https://my-vault.vault.azure.net/')
    .requiredOption('--scope <scope>', 'Databricks-backed scope to write into')
    .option('--keys <a,b>', 'only these secrets (default: every enabled secret of the vault)')
    .option('-t, --target <name>', "workspace of this target (default: the environment's)")
    .option('--json', 'print events as NDJSON')
    .action(async (opts: { fromKeyvault: string; scope: string; keys?: string; target?: string; json?: boolean }) => {
      const renderer = ctx.renderer(opts.json);
      try {
        const vaultUrl = checkVaultUrl(opts.fromKeyvault);
        let target: TargetModel = { name: '(environment)', local: false, workspace: {}, variables: {} };
        let root = ctx.cwd;
        if (opts.target) {
          const loaded = await loadBundle(ctx.cwd, program.opts<{ bundle?: string }>().bundle);
          target = resolve(loaded.bundle, opts.target).model.target;
          root = loaded.root;
        }
        const connection = await connectTarget(target, { env: ctx.env, repoRoot: root });
        try {
          const vault = new SecretClient(vaultUrl, keyVaultCredential(ctx.env));
          const keys = opts.keys?.split(',').map((k) => k.trim()).filter((k) => k !== '');
          await syncFromKeyVault({ vault, vaultUrl, client: connection.client, scope: opts.scope, ...(keys ? { keys } : {}), sink: renderer.sink });
        } finally {
          await connection.close();
        }
      } finally {
        renderer.close();
      }
    });
}
