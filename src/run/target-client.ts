// The workspace client for a bundle target: the target's host and profile, else the environment and
// ~/.databrickscfg, as the Databricks CLI resolves them.
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import { createWorkspaceClient, targetWorkspace, type WorkspaceClient, type WorkspaceClientOptions } from '../workspace/index.ts';

export function workspaceClientFor(
  model: BundleModel,
  env: Record<string, string | undefined>,
  extra: Pick<WorkspaceClientOptions, 'onRequest' | 'retry' | 'configFile'> & { events?: EventSink } = {},
): WorkspaceClient {
  if (model.target.local) throw new UserError(`Target "${model.target.name}" is local: it has no workspace.`);
  return createWorkspaceClient({
    env,
    target: targetWorkspace(model.target),
    ...extra,
  });
}
