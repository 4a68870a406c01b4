// Target and profile selection as the Databricks CLI does it, in one place for every command:
// - `-p/--profile <name>` (a program option) becomes DATABRICKS_CONFIG_PROFILE for the command, so it wins over
//   the variable and over the target's workspace.profile (cmd/root/bundle.go: flag, then the variable);
// - a command's `-t/--target` falls back to DATABRICKS_BUNDLE_TARGET, then DATABRICKS_BUNDLE_ENV (its name
//   before CLI v0.203.2), when it is not given.
import type { Command } from 'commander';
import type { CliContext } from './context.ts';

export const TARGET_ENV_VARS = ['DATABRICKS_BUNDLE_TARGET', 'DATABRICKS_BUNDLE_ENV'] as const;

/** The target named by the environment, if any. */
export function targetFromEnv(env: Record<string, string | undefined>): string | undefined {
  for (const name of TARGET_ENV_VARS) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** The --profile given on the command line, if any. */
export function profileFlag(program: Command): string | undefined {
  const value = program.opts<{ profile?: string }>().profile?.trim();
  return value ? value : undefined;
}

/** Adds -p/--profile to the program and applies both selections before any command runs. */
export function installSelection(program: Command, ctx: CliContext): void {
  program.option('-p, --profile <name>', 'the ~/.databrickscfg profile to use (wins over DATABRICKS_CONFIG_PROFILE and the target\'s workspace.profile)');
  program.hook('preAction', (_program, action) => {
    const profile = profileFlag(program);
    if (profile !== undefined) ctx.env = { ...ctx.env, DATABRICKS_CONFIG_PROFILE: profile };
    const takesTarget = action.options.some((o) => o.attributeName() === 'target');
    if (takesTarget && action.getOptionValue('target') === undefined) {
      const target = targetFromEnv(ctx.env);
      if (target !== undefined) action.setOptionValueWithSource('target', target, 'env');
    }
  });
}
