// Who a production job runs as. A job without run_as runs as whoever deployed it; in production that should be
// a service principal, not a person whose account may be disabled or whose rights change: deploy warns of each
// job that would run as a person (the Databricks CLI's production-mode advice: set run_as, deploy as a principal).
import { isServicePrincipalName } from './permissions.ts';
import type { CurrentUser, DesiredResource } from './types.ts';

export function personRunAsWarnings(mode: string | undefined, target: string, desired: readonly DesiredResource[], user: CurrentUser): string[] {
  if (mode !== 'production') return [];
  const out: string[] = [];
  for (const r of desired) {
    if (r.kind !== 'jobs') continue;
    const runAs = r.settings['run_as'] as { user_name?: string; service_principal_name?: string } | undefined;
    if (runAs?.service_principal_name) continue;
    const who = runAs?.user_name ?? user.userName;
    if (runAs?.user_name === undefined && isServicePrincipalName(who)) continue;
    out.push(
      `Job ${String(r.settings['name'] ?? r.key)} (${r.address}) would run as ${who}, a person, on production target ${target}: ` +
        `set run_as to a service principal (run_as: { service_principal_name: '<application id>' }) on the job or the bundle.`,
    );
  }
  return out;
}
