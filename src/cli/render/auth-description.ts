// `dbx-ts auth describe` output: which method and profile were chosen and why, and where every value came from
// (secrets already masked by the resolver). Text for people, one JSON document for scripts.
import type { AttributeSource, AuthDescription } from '../../workspace/index.ts';

export interface AuthReport {
  description: AuthDescription;
  /** The verified identity; absent when verification failed. */
  user?: { user_name: string; id: string; display_name?: string };
  /** Why verification failed (already a user-facing message without secrets). */
  error?: string;
}

export function sourceText(source: AttributeSource): string {
  return source.kind === 'env' ? `${source.name} environment variable` : source.name;
}

export function authReportJson(report: AuthReport): string {
  const d = report.description;
  const doc = {
    status: report.error === undefined ? 'ok' : 'error',
    host: d.host,
    auth_type: d.auth_type,
    auth_reason: d.auth_reason,
    ...(d.profile === undefined ? {} : { profile: d.profile, profile_reason: d.profile_reason, config_file: d.config_file }),
    ...(d.skipped === undefined ? {} : { skipped: d.skipped }),
    ...(report.user === undefined ? {} : { user: report.user }),
    ...(report.error === undefined ? {} : { error: report.error }),
    configuration: d.configuration,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function authReportText(report: AuthReport): string {
  const d = report.description;
  const rows: [string, string][] = [['Host', d.host]];
  if (report.user !== undefined) {
    const u = report.user;
    rows.push(['User', u.display_name && u.display_name !== u.user_name ? `${u.user_name} (${u.display_name})` : u.user_name]);
  } else {
    rows.push(['User', 'not verified (see the error below)']);
  }
  rows.push(['Authenticated with', d.auth_type]);
  for (const s of d.skipped ?? []) rows.push(['Passed over', `${s.auth_type}: ${s.reason}`]);
  rows.push(['Why', d.auth_reason]);
  if (d.profile !== undefined) rows.push(['Profile', `${d.profile} in ${d.config_file ?? '?'}: ${d.profile_reason ?? ''}`]);
  else rows.push(['Profile', 'none']);
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  const lines = rows.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`);
  lines.push('-----', 'Current configuration:');
  for (const [name, { value, source }] of Object.entries(d.configuration)) lines.push(`  ${name}: ${value} (from ${sourceText(source)})`);
  return `${lines.join('\n')}\n`;
}
