// The local target's workspace: the fake workspace started in this process on 127.0.0.1, its state kept under
// `.dbx-ts/local/workspace`, so `deploy -t local` goes through the same plan/apply and REST client as a real
// workspace, and the local runner finds what was deployed. The state directory is the one `dbx-ts local serve`
// uses by default: each change is written as it happens, and the directory's lock keeps two processes apart.
// Given a task executor, its runs execute (as on `local serve`): `run -t local` starts and follows its job there.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { EventSink } from '../events/types.ts';
import { startFakeWorkspace, type FakeWorkspace, type TaskExecutor } from '../emulator/index.ts';
import type { WorkspaceClient } from '../workspace/index.ts';
import { LOCAL_WORKSPACE_DIR } from '../local/paths.ts';

/** Where the local workspace's state lives, relative to the project root. */
export { LOCAL_WORKSPACE_DIR };

export interface LocalWorkspaceServer {
  workspace: FakeWorkspace;
  /** The bearer token of this process's server (nothing outside this process knows it). */
  token: string;
  dir: string;
  /** Stops the server and releases the state directory (every change is already on disk). */
  close(): Promise<void>;
}

export interface LocalWorkspace extends LocalWorkspaceServer {
  client: WorkspaceClient;
  /** The same, without automatic retries, for creates (see adapters/create-once.ts). */
  creator: WorkspaceClient;
}

export interface LocalWorkspaceOptions {
  events?: EventSink;
  /** Names the holder in the state directory's lock. */
  command?: string;
  /** Runs execute with this executor (default: they follow the workspace's scenario, as in a simulated workspace). */
  runs?: TaskExecutor;
}

/** The server alone, for callers that make their few REST calls themselves (the workspace client is not loaded). */
export async function startLocalWorkspace(repoRoot: string, options: LocalWorkspaceOptions = {}): Promise<LocalWorkspaceServer> {
  const dir = join(repoRoot, LOCAL_WORKSPACE_DIR);
  // A fresh token per process: nothing outside this process can talk to the server. `aad` so Key
  // Vault-backed scopes can be created, as with an Entra ID login.
  const token = `dbx-ts-local-${randomBytes(16).toString('hex')}`;
  // The local metastore is the local engine, which makes a DuckDB database per catalog on first use: every
  // catalog exists here, and a deploy creates the bundle's schemas and volumes in it as in Unity Catalog.
  const workspace = await startFakeWorkspace({
    tokens: [{ token, kind: 'aad' }],
    dir,
    lockCommand: options.command ?? 'dbx-ts (local target)',
    catalogsOnDemand: true,
    ...(options.runs ? { runs: options.runs } : {}),
  });
  return { workspace, token, dir, close: () => workspace.close() };
}

/** The server and the REST client a deploy uses against it. */
export async function openLocalWorkspace(repoRoot: string, options: LocalWorkspaceOptions = {}): Promise<LocalWorkspace> {
  const server = await startLocalWorkspace(repoRoot, options);
  try {
    const { createWorkspaceClient } = await import('../workspace/index.ts');
    return { ...server, ...localClients(server, options.events, createWorkspaceClient) };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Clients of a started local workspace (for a caller that started the server alone and then needs to deploy). */
export function localClients(
  server: LocalWorkspaceServer,
  events: EventSink | undefined,
  create: typeof import('../workspace/index.ts').createWorkspaceClient,
): { client: WorkspaceClient; creator: WorkspaceClient } {
  const base = { env: { DATABRICKS_HOST: server.workspace.url, DATABRICKS_TOKEN: server.token }, configFile: null, ...(events ? { events } : {}) };
  return { client: create(base), creator: create({ ...base, retry: { timeoutMs: 0 } }) };
}
