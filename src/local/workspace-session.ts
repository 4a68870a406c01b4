// The local workspace a `run -t local` works in: started in this process with runs that execute on the local
// engine (the executor `local serve` uses, sharing this run's databases and streaming every engine event to its
// output), the bundle deployed to it unless it is already there (deploy-record.ts), and the deployed ids of the
// bundle's jobs. While `local serve` holds the state directory, the run is refused naming it.
import { join } from 'node:path';
import { UserError } from '../errors/index.ts';
import type { Extensions } from '../extensions/registry.ts';
import type { LocalWorkspaceServer } from '../deploy/local.ts';
import type { SynthFile } from '../synth/index.ts';
import type { LocalDatabases } from './databases.ts';
import { bundleFingerprint, readDeployRecord, workspaceFingerprint, writeDeployRecord } from './deploy-record.ts';
import type { UpdateResult } from './engine/index.ts';
import { LOCAL_WORKSPACE_DIR, type LocalPaths } from './paths.ts';
import type { LocalRunOptions } from './run-local.ts';
import type { LocalJobsApi } from './workspace-api.ts';
import type { RunFollower } from './workspace-run.ts';

/** Task attempts of a run executing at once: the local engine shares this machine's cores. */
const LOCAL_PARALLELISM = 4;

/**
 * The local workspace for this command, opened once (its state directory locked) with runs that execute on the
 * local engine, the bundle deployed to it (the same plan and apply as a real workspace; skipped when the workspace
 * holds this very bundle as the last run left it, deploy-record.ts), and the deployed ids of the bundle's jobs.
 */
export interface WorkspaceSession {
  api: LocalJobsApi;
  follower: RunFollower;
  /** The deployed job id of each job key of the bundle. */
  jobIds: Map<string, string>;
  close(): Promise<void>;
}

export async function openWorkspaceSession(
  opts: LocalRunOptions,
  files: SynthFile[],
  paths: LocalPaths,
  engine: { databases: LocalDatabases; updates: Map<string, UpdateResult>; extensions: Extensions },
): Promise<WorkspaceSession> {
  const { model, sink } = opts;
  const dir = join(opts.projectRoot, LOCAL_WORKSPACE_DIR);
  const bundle = bundleFingerprint(model, files);
  const last = await readDeployRecord(paths.root);
  const upToDate = last?.bundle === bundle && last.workspace === (await workspaceFingerprint(dir));
  const [{ startLocalWorkspace, localClients }, { localEngineExecutor }, { readDeployIndex }, { RunFollower }, { StateDirLockedError }, { localJobsApi }] = await Promise.all([
    import('../deploy/local.ts'),
    import('./served/executor.ts'),
    import('./served/deploy-index.ts'),
    import('./workspace-run.ts'),
    import('../emulator/index.ts'),
    import('./workspace-api.ts'),
  ]);
  const follower = new RunFollower(sink);
  const executor = localEngineExecutor({
    project: {
      load: async (target) => {
        if (target !== model.target.name) throw new UserError(`This job was deployed to the local workspace from target "${target}"; this run loaded target "${model.target.name}".`);
        return { model, extensions: engine.extensions, root: opts.projectRoot, env: opts.env };
      },
    },
    sink,
    allEvents: true,
    databases: engine.databases,
    updates: engine.updates,
    landingReady: true,
    localSecretsFirst: true,
    parallelism: LOCAL_PARALLELISM,
    observer: follower.observer,
  });
  let local: LocalWorkspaceServer;
  try {
    local = await startLocalWorkspace(opts.projectRoot, { runs: executor });
  } catch (error) {
    if (!(error instanceof StateDirLockedError)) throw error;
    throw new UserError(
      `${error.message} The local target deploys to and runs its jobs in that workspace, so this run cannot start while it is held.`,
      error.holder?.command === 'dbx-ts local serve'
        ? 'Stop `dbx-ts local serve` (Ctrl-C) and run again; or, to run on the served workspace, deploy and run with a workspace target whose host is its URL (`dbx-ts run <job> -t <target>`, DATABRICKS_HOST and DATABRICKS_TOKEN as it printed them).'
        : error.hint,
    );
  }
  try {
    if (upToDate) {
      sink({ code: 'log', level: 'info', message: `The local workspace already has this bundle deployed (${dir}): nothing to deploy.`, data: { dir, skipped: true } });
    } else {
      const [{ deployBundle }, { createWorkspaceClient }] = await Promise.all([import('../deploy/index.ts'), import('../workspace/index.ts')]);
      const { client, creator } = localClients(local, undefined, createWorkspaceClient);
      await deployBundle({
        model,
        repoRoot: opts.projectRoot,
        client,
        creator,
        sink,
        env: opts.env,
        files,
        autoApprove: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    }
    const index = await readDeployIndex(local.workspace.state, local.workspace.readContent);
    const jobIds = new Map<string, string>();
    const jobKeys = new Map<string, string>();
    for (const id of Object.keys(local.workspace.state.jobs)) {
      const deployed = index.byId('jobs', id);
      if (deployed?.bundle !== model.bundle.name || deployed.target !== model.target.name) continue;
      jobIds.set(deployed.key, id);
      jobKeys.set(id, deployed.key);
    }
    follower.setJobKeys(jobKeys);
    return {
      api: localJobsApi(local.workspace.url, local.token),
      follower,
      jobIds,
      close: async () => {
        await local.close();
        // The workspace as this run left it (its runs included): the next run deploys again only if something else changed it.
        await writeDeployRecord(paths.root, { bundle, workspace: await workspaceFingerprint(dir) });
      },
    };
  } catch (error) {
    await local.close();
    throw error;
  }
}
