// What was deployed to the local workspace, read back from it: every deploy (dbx-ts deploy -t local, or a deploy
// to `local serve` as a workspace target) leaves its state at `<root>/state/deployment.json` in the workspace.
// From those files a deployed job, pipeline, notebook or dashboard maps back to its bundle, target and key.
import { STATE_FILE } from '../../deploy/state-file.ts';
import type { DeployState } from '../../deploy/types.ts';
import type { WorkspaceState } from '../../emulator/index.ts';
import type { BlobRef } from '../../emulator/index.ts';

export interface DeployedResource {
  bundle: string;
  target: string;
  kind: string;
  key: string;
}

export interface DeployIndex {
  /** The resource with this id (job id as decimal text, pipeline id, dashboard id, workspace path of a file). */
  byId(kind: 'jobs' | 'pipelines' | 'dashboards' | 'files', id: string): DeployedResource | undefined;
}

const SUFFIX = `/state/${STATE_FILE}`;
/** Notebooks are deployed without their source extension. */
const NOTEBOOK_EXTENSION = /\.(py|sql|scala|r|ipynb)$/i;

export async function readDeployIndex(state: WorkspaceState, readContent: (ref: BlobRef) => Promise<Buffer>): Promise<DeployIndex> {
  const entries = new Map<string, DeployedResource>();
  for (const [path, object] of Object.entries(state.objects)) {
    if (!path.endsWith(SUFFIX) || object.object_type !== 'FILE' || !object.blob) continue;
    let deployed: DeployState;
    try {
      deployed = JSON.parse((await readContent(object.blob)).toString('utf8')) as DeployState;
    } catch {
      continue; // not a deploy state of ours
    }
    if (deployed?.version !== 1 || typeof deployed.resources !== 'object') continue;
    for (const [address, entry] of Object.entries(deployed.resources)) {
      const dot = address.indexOf('.');
      const kind = address.slice(0, dot);
      const resource = { bundle: deployed.bundle, target: deployed.target, kind, key: address.slice(dot + 1) };
      const id = kind === 'files' ? withoutWorkspacePrefix(entry.id) : entry.id;
      entries.set(`${kind}:${id}`, resource);
      if (kind === 'files') entries.set(`${kind}:${id.replace(NOTEBOOK_EXTENSION, '')}`, resource);
    }
  }
  return {
    byId: (kind, id) => entries.get(`${kind}:${kind === 'files' ? withoutWorkspacePrefix(id) : id}`),
  };
}

function withoutWorkspacePrefix(path: string): string {
  return path.replace(/^\/Workspace(?=\/)/, '');
}
