// One adapter per resource kind.
import type { ResourceKind } from '../types.ts';
import { dashboardsAdapter } from './dashboards.ts';
import { filesAdapter } from './files.ts';
import { jobsAdapter } from './jobs.ts';
import { pipelinesAdapter } from './pipelines.ts';
import { secretScopesAdapter } from './secret-scopes.ts';
import type { ResourceAdapter } from './types.ts';

export const ADAPTERS: Record<ResourceKind, ResourceAdapter> = {
  files: filesAdapter,
  jobs: jobsAdapter,
  pipelines: pipelinesAdapter,
  secret_scopes: secretScopesAdapter,
  dashboards: dashboardsAdapter,
};

export { Memo, type AdapterContext, type ApplyResult, type RemoteObject, type ResourceAdapter } from './types.ts';
