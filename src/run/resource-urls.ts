// Where a deployed resource is seen in the workspace UI, as the Databricks CLI's `bundle summary` and `bundle
// open` build the links (bundle/config/resources/*.go InitializeURL): jobs and pipelines by id, dashboards'
// published view, Unity Catalog objects in Catalog Explorer by their full name. Secret scopes and files have none.
import type { ResourceKind } from '../deploy/types.ts';

const PATHS: Partial<Record<ResourceKind, (id: string) => string>> = {
  jobs: (id) => `jobs/${id}`,
  pipelines: (id) => `pipelines/${id}`,
  dashboards: (id) => `dashboardsv3/${id}/published`,
  catalogs: (id) => `explore/data/${id}`,
  schemas: (id) => `explore/data/${id.split('.').join('/')}`,
  volumes: (id) => `explore/data/volumes/${id.split('.').join('/')}`,
  clusters: (id) => `compute/clusters/${id}`,
  experiments: (id) => `ml/experiments/${id}`,
  registered_models: (id) => `explore/data/models/${id.split('.').join('/')}`,
  model_serving_endpoints: (id) => `ml/endpoints/${id}`,
};

export function resourceUrl(host: string, kind: ResourceKind, id: string): string | undefined {
  const path = PATHS[kind];
  return path ? `${host.replace(/\/+$/, '')}/${path(id)}` : undefined;
}
