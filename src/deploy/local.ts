// The local target's workspace: the fake workspace started in this process on 127.0.0.1, its state kept under
// `.dbx-ts/local/workspace`, so `deploy -t local` goes through the same plan/apply and REST client as a real
// workspace, and the local runner finds what was deployed. The state directory is the one `dbx-ts local serve`
// uses by default: each change is written as it happens, and the directory's lock keeps two processes apart.
// Given a task executor, its runs execute (as on `local serve`): `run -t local` starts and follows its job there.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { EventSink } from '../events/types.ts';
import { startFakeWorkspace, type FakeWorkspace, type TaskExecutor } from '../emulator/index.ts';
import { createWorkspaceClient, type WorkspaceClient } from '../workspace/index.ts';
import { LOCAL_WORKSPACE_DIR } from '../local/paths.ts';

/** Where the local workspace's state lives, relative to the project root. */
export { LOCAL_WORKSPACE_DIR };

export interface LocalWorkspace {
  workspace: FakeWorkspace;
  client: WorkspaceClient;
  /** The same, without automatic retries, for creates (see adapters/create-once.ts). */
  creator: WorkspaceClient;
  dir: string;
  /** Stops the server and releases the state directory (every change is already on disk). */
  close(): Promise<void>;
}

export async function openLocalWorkspace(repoRoot: string, options: { events?: EventSink; command?: string; runs?: TaskExecutor } = {}): Promise<LocalWorkspace> {
  const dir = join(repoRoot, LOCAL_WORKSPACE_DIR);
  // A fresh token per process: nothing outside this process can talk to the server. `aad` so Key
  // Vault-backed scopes can be created, as with an Entra ID login.
  const token = `dbx-ts-local-${randomBytes(16).toString('hex')}`;
  // The local metastore is the local engine, which makes a DuckDB database per catalog on first use: every
  // catalog exists here, and a deploy creates the bundle's schemas and volumes in it as in Unity Catalog.
  const workspace = await startFakeWorkspace({ tokens: [{ token, kind: 'aad' }], dir, lockCommand: options.command ?? 'dbx-ts (local target)', catalogsOnDemand: true, ...(options.runs ? { runs: options.runs } : {}) });
  const base = { env: { DATABRICKS_HOST: workspace.url, DATABRICKS_TOKEN: token }, configFile: null, ...(options.events ? { events: options.events } : {}) };
  const client = createWorkspaceClient(base);
  const creator = createWorkspaceClient({ ...base, retry: { timeoutMs: 0 } });
  return { workspace, client, creator, dir, close: () => workspace.close() };
}
