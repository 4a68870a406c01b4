// Saves the workspace state to a directory (one JSON file per area) and loads it back, so the fake
// workspace can persist between processes. bigint values are tagged so they come back as bigint.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors/index.ts';
import type { WorkspaceState } from './state.ts';

const BIGINT_TAG = '$bigint';

/** Which state keys go to which file. */
const FILES: Record<string, (keyof WorkspaceState)[]> = {
  'meta.json': ['version', 'currentUser', 'workspaceId', 'counters', 'idempotency'],
  'workspace.json': ['objects'],
  'jobs.json': ['jobs', 'runs'],
  'pipelines.json': ['pipelines'],
  'secrets.json': ['secretScopes'],
  'dashboards.json': ['dashboards'],
  'volumes.json': ['volumes'],
  'compute-ml.json': ['computeMl'],
};

export interface SaveOptions {
  /**
   * Secret values are left out unless asked for: a state directory is an ordinary folder and secrets
   * must not end up in files by accident. Keys and timestamps are always kept.
   */
  includeSecretValues?: boolean;
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? { [BIGINT_TAG]: value.toString() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[BIGINT_TAG];
    if (typeof tagged === 'string' && Object.keys(value).length === 1) return BigInt(tagged);
  }
  return value;
}

function withoutSecretValues(state: WorkspaceState): WorkspaceState['secretScopes'] {
  const scopes: WorkspaceState['secretScopes'] = {};
  for (const [name, scope] of Object.entries(state.secretScopes)) {
    const secrets: typeof scope.secrets = {};
    for (const [key, secret] of Object.entries(scope.secrets)) {
      secrets[key] = { value: '', last_updated_timestamp: secret.last_updated_timestamp };
    }
    scopes[name] = { ...scope, secrets };
  }
  return scopes;
}

export async function saveStateToDir(state: WorkspaceState, dir: string, options: SaveOptions = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const view: WorkspaceState = options.includeSecretValues
    ? state
    : { ...state, secretScopes: withoutSecretValues(state) };
  for (const [file, keys] of Object.entries(FILES)) {
    const part: Record<string, unknown> = {};
    for (const key of keys) part[key] = view[key];
    await writeFile(join(dir, file), `${JSON.stringify(part, replacer, 2)}\n`, { mode: 0o600 });
  }
}

export async function loadStateFromDir(dir: string): Promise<WorkspaceState> {
  const merged: Record<string, unknown> = {};
  for (const file of Object.keys(FILES)) {
    // compute-ml.json is newer than the other files: a directory saved before it existed still loads.
    const text = await readFile(join(dir, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (file === 'compute-ml.json' && error.code === 'ENOENT') return '{}';
      throw error;
    });
    Object.assign(merged, JSON.parse(text, reviver) as Record<string, unknown>);
  }
  if (merged['version'] !== 1) {
    throw new UserError(
      `${dir} holds emulator state version ${String(merged['version'])}, which this version cannot read`,
      'Start the emulator with a fresh state directory.',
    );
  }
  return merged as unknown as WorkspaceState;
}
