// The YAML side of the round trip: a bundle resolved per target as `databricks bundle validate` resolves it
// (includes, shorthands, paths from the bundle root, normalisation, target merge, variables, keyed lists).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { glob } from '../../src/import/glob.ts';
import { loadBundle } from '../../src/import/load.ts';
import { defaultTarget, resolveConfig, targetNames } from '../../src/import/resolve.ts';
import { foldKeyedLists, mergeValues } from '../../src/model/merge.ts';
import { FIXTURES } from './helpers.ts';

const full = loadBundle(join(FIXTURES, 'full'));
const resolved = (target: string) => resolveConfig(full.merged, target).config as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('loading a YAML bundle', () => {
  it('reads the entry file, then each include glob sorted, `**` matching one folder level as Go does', () => {
    expect(full.files.map((f) => f.file.path)).toEqual([
      'databricks.yml',
      'resources/etl.job.yml',
      'resources/overview.dashboard.yml',
      'resources/report.job.yml',
      'resources/silver.pipeline.yml',
      'resources/ml/ml.yml',
      'shared/vars.yml',
    ]);
    expect(glob(join(FIXTURES, 'full'), 'resources/**/*.yml').map((p) => p.slice(join(FIXTURES, 'full').length + 1))).toEqual(['resources/ml/ml.yml']);
  });

  it('names targets (a bundle without any gets "default") and the default one', () => {
    expect(targetNames(full.merged)).toEqual(['dev', 'staging', 'prod']);
    expect(defaultTarget(full.merged)).toBe('dev');
    expect(targetNames({ bundle: { name: 'x' } })).toEqual(['default']);
  });

  it('warns, with file and line, about fields the schema does not know, and drops them as the CLI does', () => {
    expect(full.issues).toEqual([
      { severity: 'warning', file: 'resources/ml/ml.yml', line: 2, message: 'common: unknown field: common' },
      { severity: 'warning', file: 'resources/ml/ml.yml', line: 15, message: 'resources.experiments.training.description: unknown field: description' },
    ]);
    expect(resolved('dev').resources.experiments.training).toEqual({ name: '/Shared/experiments/training' });
  });
});

describe('resolving a target', () => {
  it('makes local paths relative to the bundle root, wherever the file that names them is', () => {
    const c = resolved('dev');
    const tasks = c.resources.jobs.etl.tasks as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(tasks.find((t) => t.task_key === 'ingest')).toMatchObject({ notebook_task: { notebook_path: 'src/ingest.ipynb' }, libraries: [{ whl: 'dist/lib.whl' }, { requirements: 'requirements.txt' }] });
    expect(c.resources.jobs.etl.environments[0].spec.dependencies).toEqual(['-r requirements.txt', 'dist/*.whl', 'pandas==2.2.0']);
    expect(c.resources.pipelines.silver.libraries).toEqual([{ notebook: { path: 'src/pipeline/bronze.py' } }, { file: { path: 'src/pipeline/silver.sql' } }, { glob: { include: 'src/pipeline/transformations/**' } }]);
    expect(c.resources.apps.explorer.source_code_path).toBe('app');
    expect(c.artifacts.wheel.path).toBe('lib');
  });

  it('normalises values to the schema: "1" where an integer goes, 1 where a string goes', () => {
    const job = resolved('dev').resources.jobs.etl;
    expect(job.max_concurrent_runs).toBe(1);
    expect(job.environments[0].spec.client).toBe('1');
  });

  it('merges the target: maps merged, lists appended, job tasks and clusters folded by key (tasks sorted)', () => {
    const job = resolved('staging').resources.jobs.etl;
    expect(job.job_clusters[0]).toEqual({ job_cluster_key: 'main', new_cluster: { spark_version: '15.4.x-scala2.12', node_type_id: 'i3.xlarge', num_workers: 8 } });
    const keys = (job.tasks as { task_key: string }[]).map((t) => t.task_key);
    expect(keys).toEqual([...keys].sort());
    expect(job.tasks.find((t: { task_key: string }) => t.task_key === 'ingest').timeout_seconds).toBe(600);
    expect(job.tasks.find((t: { task_key: string }) => t.task_key === 'extra')).toEqual({ task_key: 'extra', depends_on: [{ task_key: 'ingest' }], notebook_task: { notebook_path: 'src/extra.py' } });
    expect(resolved('staging').resources.pipelines.silver.clusters).toEqual([{ label: 'default', num_workers: 3 }]);
    const prod = resolved('prod');
    expect(prod.permissions).toEqual([{ group_name: 'data-team', level: 'CAN_VIEW' }, { user_name: 'admin@example.com', level: 'CAN_MANAGE' }]);
    expect(prod.resources.clusters.shared).toMatchObject({ num_workers: 10, custom_tags: { team: 'ml' }, spark_conf: { 'spark.speculation': 'true' } });
    expect(prod.bundle).toMatchObject({ mode: 'production', cluster_id: '0101-000000-abcdefgh', target: 'prod' });
    expect(resolved('dev').presets).toEqual({ tags: { team: 'data' }, name_prefix: 'dev_' });
  });

  it('replaces run_as with the target\'s, and declares target-only resources on their target only', () => {
    expect(resolved('dev').run_as).toEqual({ service_principal_name: '00000000-0000-0000-0000-000000000001' });
    expect(resolved('staging').run_as).toEqual({ user_name: 'deployer@example.com' });
    expect(resolved('prod').resources.experiments.prod_only).toEqual({ name: '/Shared/experiments/prod_only' });
    expect(resolved('dev').resources.experiments.prod_only).toBeUndefined();
  });

  it('resolves variables of every kind: defaults, target values, complex values whole, references to others', () => {
    const dev = resolved('dev');
    expect(dev.resources.jobs.etl.name).toBe('etl-dev_schema');
    expect(dev.resources.jobs.etl.email_notifications).toEqual({ on_failure: ['team@example.com'] });
    expect(dev.resources.jobs.etl.job_clusters[1].new_cluster).toEqual({ spark_version: '15.4.x-scala2.12', node_type_id: 'i3.xlarge', num_workers: 2 });
    expect(dev.resources.jobs.etl.tasks.find((t: { task_key: string }) => t.task_key === 'ingest').max_retries).toBe(0);
    expect(dev.resources.pipelines.silver.serverless).toBe(true);
    const staging = resolved('staging');
    expect(staging.resources.jobs.etl.job_clusters[1].new_cluster.node_type_id).toBe('i3.2xlarge');
    const prod = resolved('prod');
    expect(prod.resources.jobs.etl.parameters[1]).toEqual({ name: 'prefix', default: 'prod_prod_catalog' });
    expect(prod.variables.shared_var.value).toBe('prod-shared');
  });

  it('leaves what needs a workspace as written: lookups, the current user, resource ids', () => {
    const staging = resolveConfig(full.merged, 'staging');
    const sqlQuery = (staging.config as Record<string, any>).resources.jobs.etl.tasks.find((t: { task_key: string }) => t.task_key === 'sql_query'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(sqlQuery.sql_task.warehouse_id).toBe('${var.warehouse}');
    expect((staging.config as Record<string, any>).variables.warehouse).toEqual({ description: 'SQL warehouse, found by name', lookup: { warehouse: 'Staging Warehouse' } }); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(staging.issues.map((i) => i.message)).toContain('variable warehouse is a lookup, resolved by the Databricks CLI at deploy time; ${var.warehouse} stays as written');
    expect(resolved('dev').resources.jobs.etl.tasks.find((t: { task_key: string }) => t.task_key === 'refresh').pipeline_task.pipeline_id).toBe('${resources.pipelines.silver.id}');
    expect(resolved('dev').workspace.root_path).toBe('/Workspace/Shared/.bundle/full_import/dev');
    expect(resolved('dev').workspace.file_path).toBe('/Workspace/Shared/.bundle/full_import/dev/files');
  });

  it('reads the older spellings: environments for targets, compute_id for cluster_id', () => {
    const legacy = loadBundle(join(FIXTURES, 'legacy', 'bundle'));
    expect(targetNames(legacy.merged)).toEqual(['dev', 'test', 'prod']);
    const test = resolveConfig(legacy.merged, 'test').config as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(test.bundle.cluster_id).toBe('0101-000000-bbbbbbbb');
    expect(test.resources.jobs.only_some.tasks[0].notebook_task.notebook_path).toBe('src/t.py');
    expect(test.resources.experiments.shared_experiment.name).toBe('/Shared/legacy/test-team');
  });
});

describe('the CLI merge', () => {
  it('merges maps, appends lists, replaces scalars, and lets null yield the other side', () => {
    expect(mergeValues({ a: { b: 1, c: [1] }, d: 'x' }, { a: { c: [2], e: true }, d: 'y' })).toEqual({ a: { b: 1, c: [1, 2], e: true }, d: 'y' });
    expect(mergeValues(null, { a: 1 })).toEqual({ a: 1 });
    expect(mergeValues({ a: 1 }, null)).toEqual({ a: 1 });
    expect(() => mergeValues({ a: {} }, { a: 'x' })).toThrow(/cannot merge a map with a string/);
  });

  it('folds keyed lists: tasks by key (sorted), pipeline clusters by label (default, any case)', () => {
    expect(foldKeyedLists('jobs', { tasks: [{ task_key: 'b', x: 1 }, { task_key: 'a' }, { task_key: 'b', y: 2 }] })).toEqual({ tasks: [{ task_key: 'a' }, { task_key: 'b', x: 1, y: 2 }] });
    expect(foldKeyedLists('pipelines', { clusters: [{ num_workers: 1 }, { label: 'DEFAULT', autoscale: { min_workers: 1 } }] })).toEqual({
      clusters: [{ label: 'default', num_workers: 1, autoscale: { min_workers: 1 } }],
    });
    expect(foldKeyedLists('schemas', { grants: [{ principal: 'a', privileges: ['X'] }, { principal: 'a', privileges: ['X', 'Y'] }] })).toEqual({ grants: [{ principal: 'a', privileges: ['X', 'Y'] }] });
  });
});
