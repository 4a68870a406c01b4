// One adapter per resource kind.
import type { ResourceKind } from '../types.ts';
import { clustersAdapter } from './clusters.ts';
import { catalogsAdapter } from './catalogs.ts';
import { dashboardsAdapter } from './dashboards.ts';
import { experimentsAdapter } from './experiments.ts';
import { filesAdapter } from './files.ts';
import { grantsAdapter } from './grants.ts';
import { jobsAdapter } from './jobs.ts';
import { permissionsAdapter } from './permissions.ts';
import { pipelinesAdapter } from './pipelines.ts';
import { registeredModelsAdapter } from './registered-models.ts';
import { secretScopesAdapter } from './secret-scopes.ts';
import { servingEndpointsAdapter } from './serving-endpoints.ts';
import { schemasAdapter } from './schemas.ts';
import { volumesAdapter } from './volumes.ts';
import type { ResourceAdapter } from './types.ts';

export const ADAPTERS: Record<ResourceKind, ResourceAdapter> = {
  catalogs: catalogsAdapter,
  schemas: schemasAdapter,
  volumes: volumesAdapter,
  files: filesAdapter,
  jobs: jobsAdapter,
  pipelines: pipelinesAdapter,
  secret_scopes: secretScopesAdapter,
  dashboards: dashboardsAdapter,
  clusters: clustersAdapter,
  experiments: experimentsAdapter,
  registered_models: registeredModelsAdapter,
  model_serving_endpoints: servingEndpointsAdapter,
  permissions: permissionsAdapter,
  grants: grantsAdapter,
};

export { Memo, type AdapterContext, type ApplyResult, type RemoteObject, type ResourceAdapter } from './types.ts';
