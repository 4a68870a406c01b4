// Public surface of the deploy engine.
export { DEFAULT_PARALLELISM, deployBundle, destroyBundle, destructiveActions, planBundle, type DeployContext, type DeployOptions, type DeployResult } from './deploy.ts';
export { connectTarget, type Connection } from './connect.ts';
export { LOCAL_WORKSPACE_DIR, openLocalWorkspace, type LocalWorkspace } from './local.ts';
export { formatPlan } from './format.ts';
export { planDeploy, planSummary, type PlanInput, type RemoteLookup } from './plan.ts';
export { interpolate, resolveVariables, type InterpolationContext, type VariableSources, type VariableValue } from './interpolate.ts';
export { applyPresets, bundlePaths, shortUserName } from './presets.ts';
export { checkSecrets, secretReferences, type SecretCheckResult, type SecretReference } from './secrets-check.ts';
export { checkVaultUrl, syncFromKeyVault, type KeyVaultReader, type SyncOptions, type SyncResult } from './secrets-sync.ts';
export type { ActionType, BundlePaths, DeployPlan, DeployState, DesiredResource, FieldChange, PlannedAction, ResourceKind } from './types.ts';
