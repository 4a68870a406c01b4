// Where a target of the bundle lives in the workspace: the target's root_path (interpolated with the bundle,
// target, user and variables) or the default under the user's home, as the Databricks CLI places it.
import type { BundleModel, TargetModel } from '../model/types.ts';
import { interpolate, type VariableValue } from './interpolate.ts';
import { bundlePaths } from './presets.ts';
import type { BundlePaths, CurrentUser } from './types.ts';

export function targetPaths(model: BundleModel, target: TargetModel, variables: Record<string, VariableValue>, user: CurrentUser): BundlePaths {
  const preliminary = bundlePaths({ bundle: model.bundle.name, target: target.name, userName: user.userName });
  const rootPath = target.workspace.root_path;
  if (!rootPath) return preliminary;
  const ctx = {
    variables,
    bundle: { name: model.bundle.name, target: target.name },
    workspace: {
      current_user: { userName: user.userName, short_name: user.shortName },
      root_path: preliminary.root,
      file_path: preliminary.files,
      state_path: preliminary.state,
      resource_path: preliminary.resources,
    },
  };
  return bundlePaths({
    bundle: model.bundle.name,
    target: target.name,
    userName: user.userName,
    rootPath: interpolate(rootPath, ctx, `targets.${target.name}.workspace.root_path`),
  });
}
