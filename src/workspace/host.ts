// Workspace host handling: normalise like the Databricks SDKs, and refuse anything but https off-machine.
import { isIP } from 'node:net';
import { UserError } from '../errors/index.ts';

/**
 * Normalises a workspace host as the SDKs do: adds `https://` when no scheme is given, keeps only
 * scheme://host[:port] (drops any path and trailing slash) and drops the default port 443.
 */
export function normalizeHost(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed === '') throw new UserError('The Databricks host is empty', 'Set DATABRICKS_HOST or `host` in your profile.');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UserError(`"${raw}" is not a valid Databricks host`, 'Use the workspace URL, e.g. https://adb-123.4.azuredatabricks.net');
  }
  // URL drops :443 for https and :80 for http by itself; `url.host` keeps any other port.
  return `${url.protocol}//${url.host}`;
}

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts plain http is allowed to. */
export function isLoopbackHostname(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** Normalises `raw` and throws a UserError unless it is https, or http to a loopback address. */
export function secureHost(raw: string): string {
  const host = normalizeHost(raw);
  const url = new URL(host);
  if (url.protocol === 'https:') return host;
  if (url.protocol === 'http:' && isLoopbackHostname(url.hostname)) return host;
  throw new UserError(
    `Refusing to talk to ${host}: only https is allowed for a workspace`,
    'Use an https:// workspace URL (plain http is accepted only for localhost, 127.0.0.0/8 and [::1]).',
  );
}
