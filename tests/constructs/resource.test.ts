// Every resource type of the official bundle schema can be declared with typed props, built into
// `resources.<type>.<key>`, and validated against the schema.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Bundle, Catalog, Dashboard, Job, Pipeline, Resource, resolve, Schema, SecretScope, Volume, type GenericResourceType, type ResourceSettings } from '../../src/index.ts';
import { ALL_RESOURCE_TYPES, RESOURCE_TYPES } from '../../src/model/resource-types.ts';
import { configFiles, mergedConfig } from '../../src/synth/config.ts';
import { toYaml } from '../../src/synth/yaml.ts';
import { validateModel } from '../../src/validate/index.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../build/helpers.ts';

// The project the examples' local paths (an app's folder, a Genie space's file) are files of: validate checks they exist.
const REPO_ROOT = await tempDir('every-type');
await mkdir(join(REPO_ROOT, 'src', 'app'), { recursive: true });
await writeFile(join(REPO_ROOT, 'src', 'app', 'app.py'), 'print("app")\n');
await writeFile(join(REPO_ROOT, 'src', 'space.json'), '{}\n');

/** One small, valid resource of every generic type: the compiler insists on an entry per schema type. */
const EXAMPLES: { [K in GenericResourceType]: ResourceSettings[K] } = {
  alerts: {
    display_name: 'Late orders',
    query_text: 'SELECT count(*) AS n FROM orders WHERE late',
    warehouse_id: 'w1',
    evaluation: { comparison_operator: 'GREATER_THAN', source: { name: 'n' }, threshold: { value: { double_value: 10 } } },
    schedule: { quartz_cron_schedule: '0 0 * * * ?', timezone_id: 'UTC' },
  },
  apps: { name: 'sales-app', source_code_path: 'src/app', description: 'Sales explorer' },
  clusters: { cluster_name: 'shared', spark_version: '15.4.x-scala2.12', node_type_id: 'i3.xlarge', num_workers: 2 },
  database_catalogs: { name: 'pg_catalog', database_instance_name: 'inst', database_name: 'db' },
  database_instances: { name: 'inst', capacity: 'CU_1' },
  experiments: { name: '/Users/someone@example.com/sales-experiment' },
  external_locations: { name: 'landing', url: 's3://bucket/landing', credential_name: 'cred' },
  genie_spaces: { title: 'Sales space', warehouse_id: 'w1', file_path: 'src/space.json' },
  instance_pools: { instance_pool_name: 'pool', node_type_id: 'i3.xlarge' },
  job_runs: { job_id: '${resources.jobs.nightly.id}' },
  model_serving_endpoints: {
    name: 'sales-model',
    config: { served_entities: [{ entity_name: '${resources.registered_models.model.full_name}', entity_version: '1', workload_size: 'Small', scale_to_zero_enabled: true }] },
  },
  models: { name: 'legacy-model' },
  postgres_branches: { branch_id: 'dev', parent: 'projects/p' },
  postgres_catalogs: { catalog_id: 'pgc', postgres_database: 'db' },
  postgres_databases: { database_id: 'db', parent: 'projects/p/branches/main', role: 'owner' },
  postgres_endpoints: { endpoint_id: 'ep', parent: 'projects/p/branches/main', endpoint_type: 'ENDPOINT_TYPE_READ_WRITE' },
  postgres_projects: { project_id: 'p' },
  postgres_roles: { role_id: 'r', parent: 'projects/p/branches/main' },
  postgres_synced_tables: { synced_table_id: 't' },
  quality_monitors: { table_name: 'sales.gold.daily', assets_dir: '/Workspace/monitors', output_schema_name: 'sales.monitoring', snapshot: {} },
  registered_models: { name: 'model', catalog_name: 'sales', schema_name: 'ml' },
  secrets: { name: 'token', catalog_name: 'sales', schema_name: 'ml', value: '${var.token}' },
  sql_warehouses: { name: 'wh', cluster_size: 'Small', max_num_clusters: 1 },
  synced_database_tables: { name: 'pg.public.orders' },
  vector_search_endpoints: { name: 'vs', endpoint_type: 'STANDARD' },
  vector_search_indexes: { name: 'sales.ml.idx', endpoint_name: 'vs', index_type: 'DELTA_SYNC', primary_key: 'id' },
};

function bundleWithEveryType() {
  const app = new Bundle({ name: 'every', variables: { token: { description: 'a token' } }, targets: { dev: { default: true } } });
  // The types with hand-written constructs.
  new Job(app, 'nightly', { name: 'nightly' }).sqlTask('q', { sql_task: { warehouse_id: 'w1', query: { query_id: 'q1' } } });
  new Pipeline(app, 'pipe', { catalog: 'sales', schema: 'raw' });
  new Dashboard(app, 'dash', { display_name: 'D', warehouse_id: 'w1', datasets: [], widgets: [] });
  new SecretScope(app, 'scope');
  const schema = new Schema(app, 'raw', { catalog: new Catalog(app, 'sales') });
  new Volume(app, 'landing', { schema });
  for (const [type, props] of Object.entries(EXAMPLES)) {
    new Resource(app, type as GenericResourceType, type === 'registered_models' ? 'model' : `my_${type}`, props);
  }
  return app;
}

describe('local paths resources name', () => {
  it('are files of the project: a missing one is an error at the resource, and the build copies those that exist', async () => {
    const { synthBundle } = await import('../../src/synth/index.ts');
    const app = new Bundle({ name: 'paths', targets: { dev: { default: true } } });
    new Job(app, 'etl', { name: 'etl' }).task('a', { notebook_task: { notebook_path: 'src/missing.py' } });
    new Resource(app, 'apps', 'explorer', { name: 'explorer', source_code_path: 'src/app' });
    const { model } = resolve(app);
    const errors = validateModel(model, { repoRoot: REPO_ROOT }).filter((d) => d.severity === 'error');
    expect(errors.map((e) => [e.path, e.message])).toEqual([['resources.jobs.etl', "src/missing.py (named in resources.jobs.etl) does not exist under the bundle's source root."]]);
    expect(synthBundle(model, { repoRoot: REPO_ROOT }).filter((f) => f.source).map((f) => [f.path, f.content])).toEqual([['src/app/app.py', 'print("app")\n']]);
  });
});

describe('generic resources', () => {
  it('declares every resource type of the schema and emits it under resources.<type>.<key>, schema-valid', () => {
    const { model, diagnostics } = resolve(bundleWithEveryType());
    expect(diagnostics).toEqual([]);
    const errors = validateModel(model, { repoRoot: REPO_ROOT }).filter((d) => d.severity === 'error');
    expect(errors).toEqual([]);
    const files = configFiles(model);
    const merged = mergedConfig(files) as { resources: Record<string, Record<string, unknown>> };
    expect(Object.keys(merged.resources).sort()).toEqual([...ALL_RESOURCE_TYPES].sort());
    for (const type of Object.keys(EXAMPLES)) {
      const key = type === 'registered_models' ? 'model' : `my_${type}`;
      const file = files.find((f) => f.path === `resources/${key}.${RESOURCE_TYPES[type as GenericResourceType]}.yml`);
      expect(file, type).toBeDefined();
      expect(parse(toYaml(file!.doc))).toEqual({ resources: { [type]: { [key]: merged.resources[type]![key] } } });
    }
    // Paths are written relative to the resource file, as the Databricks CLI reads them.
    expect(merged.resources['apps']!['my_apps']).toMatchObject({ source_code_path: '../src/app' });
  });

  it('reports a value the schema refuses at the resource path', () => {
    const app = new Bundle({ name: 'b', targets: { dev: { default: true } } });
    new Resource(app, 'clusters', 'c', { cluster_name: 'c', num_workers: 'two' as unknown as number });
    const { model } = resolve(app);
    const errors = validateModel(model, { repoRoot: REPO_ROOT }).filter((d) => d.severity === 'error');
    expect(errors.map((e) => e.path)).toEqual(['resources.clusters.c.num_workers']);
  });

  it('refers to other resources with values, and reports references to resources the bundle lacks', () => {
    const app = new Bundle({ name: 'b', targets: { dev: { default: true } } });
    const model = new Resource(app, 'registered_models', 'm', { name: 'm', catalog_name: 'c', schema_name: 's' });
    const endpoint = new Resource(app, 'model_serving_endpoints', 'e', {
      name: 'e',
      config: { served_entities: [{ entity_name: model.ref('full_name'), entity_version: '1' }] },
    });
    new Resource(app, 'model_serving_endpoints', 'orphan', { name: 'o', config: { served_entities: [{ entity_name: '${resources.registered_models.nope.full_name}' }] } });
    const resolved = resolve(app);
    expect(resolved.model.resources.model_serving_endpoints?.['e']?.settings).toMatchObject({
      config: { served_entities: [{ entity_name: '${resources.registered_models.m.full_name}' }] },
    });
    expect(endpoint.idRef).toBe('${resources.model_serving_endpoints.e.id}');
    const errors = validateModel(resolved.model, { repoRoot: REPO_ROOT }).filter((d) => d.severity === 'error');
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('the bundle has no registered_models "nope"')]);
  });

  it('applies target overrides with the CLI merge rules and declares target-only resources', () => {
    const app = new Bundle({ name: 'b', targets: { dev: { default: true }, prod: {} } });
    new Resource(app, 'clusters', 'c', { cluster_name: 'c', num_workers: 1, spark_conf: { a: '1' }, init_scripts: [{ workspace: { destination: '/a.sh' } }] })
      .forTarget('prod', { num_workers: 8, spark_conf: { b: '2' }, init_scripts: [{ workspace: { destination: '/b.sh' } }] });
    new Resource(app, 'experiments', 'only_prod', { name: '/Shared/prod' }, { targets: ['prod'] });
    const dev = resolve(app, 'dev').model;
    const prod = resolve(app, 'prod').model;
    expect(dev.resources.clusters?.['c']?.settings).toEqual({ cluster_name: 'c', num_workers: 1, spark_conf: { a: '1' }, init_scripts: [{ workspace: { destination: '/a.sh' } }] });
    expect(prod.resources.clusters?.['c']?.settings).toEqual({
      cluster_name: 'c',
      num_workers: 8,
      spark_conf: { a: '1', b: '2' },
      init_scripts: [{ workspace: { destination: '/a.sh' } }, { workspace: { destination: '/b.sh' } }],
    });
    expect(dev.resources.experiments).toBeUndefined();
    expect(Object.keys(prod.resources.experiments ?? {})).toEqual(['only_prod']);
  });

  it('reports overrides for targets the bundle does not declare', () => {
    const app = new Bundle({ name: 'b', targets: { dev: { default: true } } });
    new Resource(app, 'clusters', 'c', { cluster_name: 'c' }).forTarget('staging', { num_workers: 2 });
    expect(resolve(app).diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('names target "staging"')]);
  });

  it('rejects misspelled fields at compile time', () => {
    const app = new Bundle({ name: 'b', targets: { dev: { default: true } } });
    // @ts-expect-error misspelled cluster field
    new Resource(app, 'clusters', 'c1', { cluster_name: 'c', num_worker: 2 });
    // @ts-expect-error experiments need a name
    new Resource(app, 'experiments', 'e1', {});
    // @ts-expect-error jobs have a hand-written construct
    new Resource(app, 'jobs', 'j', { name: 'j' });
    const c = new Resource(app, 'clusters', 'c2', { cluster_name: 'c' });
    // @ts-expect-error overrides are checked too
    c.forTarget('dev', { num_workres: 3 });
    expect(c.idRef).toBe('${resources.clusters.c2.id}');
  });
});
