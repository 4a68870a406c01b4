// Finds the ids of deployed resources (the job to run, the pipeline whose event log to read) in the deploy
// state that `dbx-ts deploy` keeps under the bundle root in the workspace (and caches in .dbx-ts/state/).
import { join } from 'node:path';
import { bundlePaths, shortUserName } from '../deploy/presets.ts';
import { StateStore } from '../deploy/state.ts';
import { interpolate, resolveVariables, type VariableValue } from '../deploy/interpolate.ts';
import { addressOf, type DeployState, type ResourceKind } from '../deploy/types.ts';
import { UserError } from '../errors/index.ts';
import type { BundleModel } from '../model/types.ts';
import type { WorkspaceClient } from '../workspace/index.ts';

/** Looks up the id a deploy recorded for `<kind>.<key>`; undefined when that resource was never deployed. */
export type DeployedIdLookup = (kind: ResourceKind, key: string) => Promise<string | undefined>;

export interface DeployedIdsOptions {
  client: WorkspaceClient;
  model: BundleModel;
  /** The project root (where .dbx-ts/state/ lives). */
  repoRoot: string;
  env?: Record<string, string | undefined>;
}

function variablesOrEmpty(model: BundleModel, env: Record<string, string | undefined>): Record<string, VariableValue> {
  try {
    return resolveVariables(model, { env });
  } catch {
    // Only root_path needs them, and it rarely uses variables; a missing one must not block a run.
    return {};
  }
}

/** The bundle root in the workspace, computed as deploy computes it. */
async function rootPaths(opts: DeployedIdsOptions) {
  const me = await opts.client.scim.me();
  const { model } = opts;
  const base = { bundle: model.bundle.name, target: model.target.name, userName: me.userName };
  const preliminary = bundlePaths(base);
  const rootPath = model.target.workspace.root_path;
  if (!rootPath) return preliminary;
  const ctx = {
    variables: variablesOrEmpty(model, opts.env ?? {}),
    bundle: { name: model.bundle.name, target: model.target.name },
    workspace: {
      current_user: { userName: me.userName, short_name: shortUserName(me.userName) },
      root_path: preliminary.root,
      file_path: preliminary.files,
      state_path: preliminary.state,
      resource_path: preliminary.resources,
    },
  };
  return bundlePaths({ ...base, rootPath: interpolate(rootPath, ctx, `targets.${model.target.name}.workspace.root_path`) });
}

/** Reads the deploy state once; later lookups are answered from memory. */
/** The deploy state of the target (the workspace copy or the local cache, the newer), and the bundle root. */
export async function readDeployState(opts: DeployedIdsOptions): Promise<{ state: DeployState; root: string }> {
  const paths = await rootPaths(opts);
  const store = new StateStore({
    client: opts.client,
    paths,
    bundle: opts.model.bundle.name,
    target: opts.model.target.name,
    localFile: join(opts.repoRoot, '.dbx-ts', 'state', `${opts.model.target.name}.json`),
  });
  await store.load();
  return { state: store.state, root: paths.root };
}

export function deployedIds(opts: DeployedIdsOptions): DeployedIdLookup {
  let loaded: Promise<DeployState> | undefined;
  const load = async (): Promise<DeployState> => (await readDeployState(opts)).state;
  return async (kind, key) => {
    loaded ??= load();
    return (await loaded).resources[addressOf(kind, key)]?.id;
  };
}

/** The job id, or a UserError that says how to deploy. */
export async function requireDeployedJob(lookup: DeployedIdLookup, model: BundleModel, jobKey: string): Promise<string> {
  if (!model.resources.jobs[jobKey]) {
    const keys = Object.keys(model.resources.jobs);
    throw new UserError(`No job "${jobKey}" in bundle "${model.bundle.name}".`, `Jobs: ${keys.join(', ') || '(none)'}.`);
  }
  const id = await lookup('jobs', jobKey);
  if (!id) {
    throw new UserError(
      `Job "${jobKey}" is not deployed to target "${model.target.name}".`,
      `Deploy the bundle first: dbx-ts deploy -t ${model.target.name}`,
    );
  }
  return id;
}
