// Which workspace a target deploys to: the target's host and profile (else the environment / ~/.databrickscfg),
// or, for a local target, the in-process fake workspace with its state on disk.
import type { EventSink } from '../events/types.ts';
import type { TargetModel } from '../model/types.ts';
import { createWorkspaceClient, targetWorkspace, type WorkspaceClient, type WorkspaceClientOptions } from '../workspace/index.ts';
import { openLocalWorkspace } from './local.ts';

export interface Connection {
  client: WorkspaceClient;
  creator: WorkspaceClient;
  /** Local target: saves the workspace state and stops the server. Remote: nothing. */
  close(): Promise<void>;
  local: boolean;
}

export async function connectTarget(
  target: TargetModel,
  opts: { env: Record<string, string | undefined>; repoRoot: string; events?: EventSink; authType?: string },
): Promise<Connection> {
  if (target.local) {
    const local = await openLocalWorkspace(opts.repoRoot, opts.events ? { events: opts.events } : {});
    return { client: local.client, creator: local.creator, close: local.close, local: true };
  }
  const options: WorkspaceClientOptions = { env: opts.env };
  options.target = targetWorkspace(target);
  if (opts.authType) options.authType = opts.authType;
  if (opts.events) options.events = opts.events;
  const client = createWorkspaceClient(options);
  const creator = createWorkspaceClient({ ...options, retry: { timeoutMs: 0 } });
  return { client, creator, close: async () => {}, local: false };
}
