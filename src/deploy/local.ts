// The local target's workspace: the fake workspace started in this process on 127.0.0.1, its state kept under
// `.dbx-ts/local/workspace`, so `deploy -t local` goes through the same plan/apply and REST client as a real
// workspace, and the local runner finds what was deployed.
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSink } from '../events/types.ts';
import { loadStateFromDir, saveStateToDir, startFakeWorkspace, type FakeWorkspace } from '../emulator/index.ts';
import { createWorkspaceClient, type WorkspaceClient } from '../workspace/index.ts';

/** Where the local workspace's state lives, relative to the project root. */
export const LOCAL_WORKSPACE_DIR = join('.dbx-ts', 'local', 'workspace');

export interface LocalWorkspace {
  workspace: FakeWorkspace;
  client: WorkspaceClient;
  /** The same, without automatic retries, for creates (see adapters/create-once.ts). */
  creator: WorkspaceClient;
  dir: string;
  /** Saves the workspace's state to `dir`. */
  save(): Promise<void>;
  /** Saves, then stops the server. */
  close(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function openLocalWorkspace(repoRoot: string, options: { events?: EventSink } = {}): Promise<LocalWorkspace> {
  const dir = join(repoRoot, LOCAL_WORKSPACE_DIR);
  const state = (await exists(join(dir, 'meta.json'))) ? await loadStateFromDir(dir) : undefined;
  // A fresh token per process: nothing outside this process can talk to the server. `aad` so Key
  // Vault-backed scopes can be created, as with an Entra ID login.
  const token = `dbx-ts-local-${randomBytes(16).toString('hex')}`;
  const workspace = await startFakeWorkspace({ tokens: [{ token, kind: 'aad' }], ...(state ? { state } : {}) });
  const base = { env: { DATABRICKS_HOST: workspace.url, DATABRICKS_TOKEN: token }, configFile: null, ...(options.events ? { events: options.events } : {}) };
  const client = createWorkspaceClient(base);
  const creator = createWorkspaceClient({ ...base, retry: { timeoutMs: 0 } });
  const save = () => saveStateToDir(workspace.state, dir);
  return {
    workspace,
    client,
    creator,
    dir,
    save,
    close: async () => {
      await save();
      await workspace.close();
    },
  };
}
