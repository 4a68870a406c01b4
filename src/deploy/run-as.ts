// Who a production job or pipeline runs as. Without run_as it runs as whoever deployed it; in production that
// should be a service principal, not a person whose account may be disabled or whose rights change: deploy warns
// of each that would run as a person (the Databricks CLI's production-mode advice: set run_as, deploy as a principal).
import { UserError } from '../errors/index.ts';
import { isServicePrincipalName } from './permissions.ts';
import type { CurrentUser, DesiredResource } from './types.ts';

interface RunAs {
  user_name?: string;
  service_principal_name?: string;
}

/**
 * The bundle's run_as as the Databricks CLI checks it: exactly one identity; and when it is not the deploying
 * identity, no resource whose API cannot run as someone else (serving endpoints, apps, dashboards that embed
 * their credentials).
 */
export function checkRunAs(runAs: unknown, desired: readonly DesiredResource[], user: CurrentUser): void {
  if (runAs === undefined || runAs === null) return;
  const r = runAs as RunAs;
  const names = [r.user_name, r.service_principal_name].filter((v) => typeof v === 'string' && v !== '');
  if (names.length !== 1) {
    throw new UserError('run_as: name exactly one identity, user_name or service_principal_name.', names.length === 0 ? 'Neither is set.' : 'Both are set.');
  }
  const identity = names[0]!;
  if (identity === user.userName) return;
  const unsupported = desired.filter(
    (d) => d.kind === 'model_serving_endpoints' || (d.kind === 'dashboards' && d.settings['embed_credentials'] === true),
  );
  if (unsupported.length > 0) {
    throw new UserError(
      `run_as: ${unsupported.map((d) => d.address).join(', ')} cannot run as ${identity}, another identity than the deploying one (${user.userName}).`,
      'Serving endpoints and dashboards with embed_credentials run as whoever deploys them: deploy as the run_as identity, or move them to another bundle.',
    );
  }
}

export function personRunAsWarnings(mode: string | undefined, target: string, desired: readonly DesiredResource[], user: CurrentUser): string[] {
  if (mode !== 'production') return [];
  const out: string[] = [];
  for (const r of desired) {
    if (r.kind !== 'jobs' && r.kind !== 'pipelines') continue;
    const runAs = r.settings['run_as'] as { user_name?: string; service_principal_name?: string } | undefined;
    if (runAs?.service_principal_name) continue;
    const who = runAs?.user_name ?? user.userName;
    if (runAs?.user_name === undefined && isServicePrincipalName(who)) continue;
    out.push(
      `${r.kind === 'jobs' ? 'Job' : 'Pipeline'} ${String(r.settings['name'] ?? r.key)} (${r.address}) would run as ${who}, a person, on production target ${target}: ` +
        `set run_as to a service principal (run_as: { service_principal_name: '<application id>' }) on the ${r.kind === 'jobs' ? 'job' : 'pipeline'} or the bundle.`,
    );
  }
  return out;
}
