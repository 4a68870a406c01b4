// Every resource type of the official bundle schema, with the settings type the schema gives it and the
// singular name resource files use (`resources/<key>.<singular>.yml`, as `databricks bundle generate` names them).
import type { ConfigResources, VarRef } from '../schema/bundle-types.ts';

type EntryOf<T> = T extends Record<string, infer V> ? Exclude<V, VarRef> : never;

/** Resource type → the settings one resource of that type has under `resources.<type>.<key>`. */
export type ResourceSettings = { [K in keyof ConfigResources]-?: EntryOf<Exclude<ConfigResources[K], VarRef | undefined>> };

export type ResourceType = keyof ResourceSettings;

/** Types with a hand-written construct (Job, Pipeline, Dashboard, SecretScope, Catalog, Schema, Volume); every other type is generic. */
export const HAND_WRITTEN_TYPES = ['jobs', 'pipelines', 'dashboards', 'secret_scopes', 'catalogs', 'schemas', 'volumes'] as const;
export type HandWrittenType = (typeof HAND_WRITTEN_TYPES)[number];

/** Types declared with the generic `Resource` construct. */
export type GenericResourceType = Exclude<ResourceType, HandWrittenType>;

/** The singular of each type; the compiler insists on one entry per schema type, so a new type is not missed. */
export const RESOURCE_TYPES = {
  alerts: 'alert',
  apps: 'app',
  catalogs: 'catalog',
  clusters: 'cluster',
  dashboards: 'dashboard',
  database_catalogs: 'database_catalog',
  database_instances: 'database_instance',
  experiments: 'experiment',
  external_locations: 'external_location',
  genie_spaces: 'genie_space',
  instance_pools: 'instance_pool',
  job_runs: 'job_run',
  jobs: 'job',
  model_serving_endpoints: 'model_serving_endpoint',
  models: 'model',
  pipelines: 'pipeline',
  postgres_branches: 'postgres_branch',
  postgres_catalogs: 'postgres_catalog',
  postgres_databases: 'postgres_database',
  postgres_endpoints: 'postgres_endpoint',
  postgres_projects: 'postgres_project',
  postgres_roles: 'postgres_role',
  postgres_synced_tables: 'postgres_synced_table',
  quality_monitors: 'quality_monitor',
  registered_models: 'registered_model',
  schemas: 'schema',
  secret_scopes: 'secret_scope',
  secrets: 'secret',
  sql_warehouses: 'sql_warehouse',
  synced_database_tables: 'synced_database_table',
  vector_search_endpoints: 'vector_search_endpoint',
  vector_search_indexes: 'vector_search_index',
  volumes: 'volume',
} as const satisfies Record<ResourceType, string>;

export const ALL_RESOURCE_TYPES = Object.keys(RESOURCE_TYPES) as ResourceType[];

export function isResourceType(name: string): name is ResourceType {
  return Object.hasOwn(RESOURCE_TYPES, name);
}

export function isGenericResourceType(name: string): name is GenericResourceType {
  return isResourceType(name) && !(HAND_WRITTEN_TYPES as readonly string[]).includes(name);
}
