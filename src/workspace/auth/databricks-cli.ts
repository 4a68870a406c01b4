// The Databricks CLI's U2M login (what `databricks auth login` stores), read through `databricks auth token`, as
// the SDKs' databricks-cli credentials provider does: `--profile <name>` when a profile is selected (CLI >= 0.207.1),
// else `--host <host>`; `--force-refresh` when the CLI has it (>= 0.296.0), because we cache the token ourselves and
// must not be handed the CLI's nearly expired one. The version comes from `databricks version --output json`.
// The answer is JSON: { access_token, token_type, expiry (RFC 3339) }. We cache it and ask again 40 s before expiry.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UserError } from '../../errors/index.ts';
import { TokenCache, type ExpiringToken } from './token-cache.ts';
import type { CredentialsProvider } from './types.ts';

const VERSION_FOR_PROFILE = [0, 207, 1] as const;
const VERSION_FOR_FORCE_REFRESH = [0, 296, 0] as const;
/** The legacy Python CLI (< 0.100) has no `auth token`. */
const FIRST_GO_CLI = [0, 100, 0] as const;
const TOKEN_TIMEOUT_MS = 60_000;
const VERSION_TIMEOUT_MS = 5_000;

type Version = readonly [number, number, number];

export interface DatabricksCliOptions {
  host: string;
  /** The selected profile: passed as `--profile` so the CLI uses that login. */
  profile?: string;
  /** databricks_cli_path / DATABRICKS_CLI_PATH: a path, or a name looked up on PATH. Default `databricks`. */
  cliPath?: string;
  /** The environment: PATH to search, and the CLI's own environment (DATABRICKS_CONFIG_FILE, HOME). */
  env: Record<string, string | undefined>;
  now?: () => number;
}

function atLeast(version: Version | undefined, wanted: Version): boolean {
  if (version === undefined) return false;
  for (let i = 0; i < 3; i++) if (version[i] !== wanted[i]) return (version[i] as number) > (wanted[i] as number);
  return true;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The CLI executable: an explicit path, or the first `name` (also `name.exe` on Windows) on PATH. */
export function findDatabricksCli(cliPath: string | undefined, env: Record<string, string | undefined>): string | undefined {
  const name = cliPath ?? 'databricks';
  if (name.includes('/') || name.includes('\\')) return isExecutableFile(name) ? name : undefined;
  const names = process.platform === 'win32' ? [name, `${name}.exe`] : [name];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const n of names) if (isExecutableFile(join(dir, n))) return join(dir, n);
  }
  return undefined;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException & { killed?: boolean };
}

function run(file: string, args: string[], env: Record<string, string | undefined>, timeoutMs: number): Promise<RunResult> {
  const childEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  return new Promise((resolve) => {
    execFile(file, args, { env: childEnv, timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), ...(error === null ? {} : { error: error as RunResult['error'] & object }) });
    });
  });
}

/** Versions probed per executable path, for the life of the process (the binary does not change under us). */
const versions = new Map<string, Version>();

async function cliVersion(cli: string, env: Record<string, string | undefined>): Promise<Version | undefined> {
  const known = versions.get(cli);
  if (known !== undefined) return known;
  const result = await run(cli, ['version', '--output', 'json'], env, VERSION_TIMEOUT_MS);
  if (result.code !== 0) return undefined;
  try {
    const parsed = JSON.parse(result.stdout) as { Major?: unknown; Minor?: unknown; Patch?: unknown };
    const version = [Number(parsed.Major), Number(parsed.Minor), Number(parsed.Patch)] as const;
    if (!version.every(Number.isInteger)) return undefined;
    versions.set(cli, version);
    return version;
  } catch {
    return undefined;
  }
}

/**
 * The `expiry` the CLI prints: RFC 3339 with up to nanoseconds; also "YYYY-MM-DD HH:MM:SS[.fff]" in local time,
 * which the Python and Java SDKs accept.
 */
export function parseExpiry(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/i.exec(text.trim());
  if (m === null) return undefined;
  const millis = (m[3] ?? '').slice(0, 3).padEnd(3, '0');
  const time = Date.parse(`${m[1]}T${m[2]}.${millis}${(m[4] ?? '').toUpperCase()}`);
  return Number.isNaN(time) ? undefined : time;
}

function loginCommand(options: DatabricksCliOptions): string {
  return `databricks auth login --host ${options.host}${options.profile === undefined ? '' : ` --profile ${options.profile}`}`;
}

/** The CLI is missing, too old, or has no usable login; `missing` tells the default chain to move on quietly. */
export class DatabricksCliError extends UserError {
  constructor(
    message: string,
    hint: string,
    readonly missing: boolean,
  ) {
    super(message, hint);
  }
}

async function tokenArgs(cli: string, options: DatabricksCliOptions): Promise<string[]> {
  const version = await cliVersion(cli, options.env);
  if (version !== undefined && !atLeast(version, FIRST_GO_CLI)) {
    throw new DatabricksCliError(
      `${cli} is the legacy Databricks CLI (v${version.join('.')}), which has no \`auth token\``,
      `Install the current Databricks CLI (https://docs.databricks.com/dev-tools/cli/install), then run \`${loginCommand(options)}\`.`,
      true,
    );
  }
  // Older (or unidentified) CLIs ignore --profile in `auth token`: ask by host, as the SDKs do.
  const args = options.profile !== undefined && atLeast(version, VERSION_FOR_PROFILE) ? ['auth', 'token', '--profile', options.profile] : ['auth', 'token', '--host', options.host];
  if (atLeast(version, VERSION_FOR_FORCE_REFRESH)) args.push('--force-refresh');
  return args;
}

async function fetchToken(options: DatabricksCliOptions): Promise<ExpiringToken & { type: string }> {
  const cli = findDatabricksCli(options.cliPath, options.env);
  if (cli === undefined) {
    throw new DatabricksCliError(
      options.cliPath === undefined ? 'The Databricks CLI (`databricks`) is not on PATH' : `The Databricks CLI was not found at databricks_cli_path "${options.cliPath}"`,
      `Install it (https://docs.databricks.com/dev-tools/cli/install) and run \`${loginCommand(options)}\`, or set DATABRICKS_CLI_PATH.`,
      true,
    );
  }
  const args = await tokenArgs(cli, options);
  const shown = `databricks ${args.join(' ')}`;
  const result = await run(cli, args, options.env, TOKEN_TIMEOUT_MS);
  const hint = `Run \`${loginCommand(options)}\` and try again.`;
  if (result.code !== 0) {
    const why = result.error?.killed ? `timed out after ${TOKEN_TIMEOUT_MS / 1000} s` : result.stderr.trim().split('\n').slice(0, 5).join(' ').slice(0, 600) || `exit code ${result.code ?? result.error?.code ?? '?'}`;
    throw new DatabricksCliError(`\`${shown}\` failed: ${why}`, hint, false);
  }
  let parsed: { access_token?: unknown; token_type?: unknown; expiry?: unknown };
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    throw new DatabricksCliError(`\`${shown}\` did not print JSON`, hint, false);
  }
  if (typeof parsed.access_token !== 'string' || parsed.access_token === '') throw new DatabricksCliError(`\`${shown}\` printed no access_token`, hint, false);
  const expiresAt = typeof parsed.expiry === 'string' ? parseExpiry(parsed.expiry) : undefined;
  if (expiresAt === undefined) throw new DatabricksCliError(`\`${shown}\` printed an expiry that cannot be read: ${JSON.stringify(parsed.expiry)}`, hint, false);
  const type = typeof parsed.token_type === 'string' && parsed.token_type !== '' ? parsed.token_type : 'Bearer';
  return { token: parsed.access_token, expiresAt, type };
}

/**
 * One token per CLI login and process: deploy opens two clients on the same workspace, and each CLI call with
 * --force-refresh is a round trip to the identity provider.
 */
const shared = new Map<string, { cache: TokenCache; type: { value: string } }>();

export function databricksCliProvider(options: DatabricksCliOptions): CredentialsProvider {
  const now = options.now ?? Date.now;
  const key = JSON.stringify([options.cliPath, options.env.PATH, options.host, options.profile, options.env.DATABRICKS_CONFIG_FILE, options.env.HOME]);
  let entry = shared.get(key);
  if (entry === undefined) {
    const type = { value: 'Bearer' };
    const cache = new TokenCache(async () => {
      const token = await fetchToken(options);
      type.value = token.type;
      return token;
    }, now);
    entry = { cache, type };
    shared.set(key, entry);
  }
  const { cache, type } = entry;
  return {
    authType: 'databricks-cli',
    headers: async () => {
      const token = await cache.get();
      return { Authorization: `${type.value} ${token}` };
    },
    invalidate: () => cache.invalidate(),
    knownSecrets: () => (cache.peek() === undefined ? [] : [cache.peek() as string]),
  };
}
