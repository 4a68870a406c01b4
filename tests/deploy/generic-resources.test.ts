// Clusters, MLflow experiments, registered models and serving endpoints deploy over REST against the fake
// workspace (create once, no-op redeploy, update in place, replace, delete); types dbx-ts has no adapter for
// are named on the plan as left to the Databricks CLI, never skipped silently.
import { afterEach, describe, expect, it } from 'vitest';
import { Bundle, Resource, resolve } from '../../src/index.ts';
import { deployBundle, planBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { formatPlan } from '../../src/deploy/format.ts';
import { UserError } from '../../src/errors/index.ts';
import { recordingSink } from '../../src/events/types.ts';
import type { BundleModel } from '../../src/model/types.ts';
import { fakeWorkspace, writes, type FakeSetup } from './fake.ts';

let setup: FakeSetup | undefined;

afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

interface Shape {
  workers?: number;
  comment?: string;
  artifact?: string;
  scaleToZero?: boolean;
  withApp?: boolean;
}

function model(shape: Shape = {}, mode: 'development' | 'production' = 'production'): BundleModel {
  const app = new Bundle({ name: 'ml', targets: { prod: { default: true, mode } } });
  new Resource(app, 'clusters', 'shared', { cluster_name: 'shared', spark_version: '15.4.x-scala2.12', node_type_id: 'i3.xlarge', num_workers: shape.workers ?? 1 });
  new Resource(app, 'experiments', 'exp', { name: '/Shared/ml/exp', ...(shape.artifact ? { artifact_location: shape.artifact } : {}), tags: [{ key: 'team', value: 'ml' }] });
  const registered = new Resource(app, 'registered_models', 'model', { name: 'churn', catalog_name: 'main', schema_name: 'ml', comment: shape.comment ?? 'v1', grants: [{ principal: 'users', privileges: ['EXECUTE'] }] });
  new Resource(app, 'model_serving_endpoints', 'serve', {
    name: 'churn-endpoint',
    config: { served_entities: [{ entity_name: registered.idRef, entity_version: '1', workload_size: 'Small', scale_to_zero_enabled: shape.scaleToZero ?? true }] },
    tags: [{ key: 'team', value: 'ml' }],
  });
  if (shape.withApp) new Resource(app, 'apps', 'explorer', { name: 'explorer', source_code_path: 'src/app' });
  return resolve(app).model;
}

function options(s: FakeSetup, m: BundleModel, extra: Partial<DeployOptions> = {}): DeployOptions {
  return { model: m, files: [], repoRoot: s.cacheDir, env: {}, ...s.connection, autoApprove: true, ...extra };
}

describe('deploying clusters, experiments, registered models and serving endpoints', () => {
  it('creates each once, tagged; a second deploy writes nothing; changes update or replace', async () => {
    setup = await fakeWorkspace();
    const first = await deployBundle(options(setup, model()));
    expect(first.plan.actions.map((a) => `${a.action} ${a.address}`)).toEqual([
      'create clusters.shared',
      'create experiments.exp',
      'create registered_models.model',
      'create model_serving_endpoints.serve',
    ]);
    const area = setup.ws.state.computeMl!;
    const cluster = Object.values(area.clusters)[0]!;
    expect(cluster).toMatchObject({ cluster_name: 'shared', num_workers: 1, custom_tags: { dbx_ts_bundle: 'ml.prod', dbx_ts_key: 'shared' } });
    expect(Object.values(area.experiments)[0]).toMatchObject({ name: '/Shared/ml/exp', tags: [{ key: 'team', value: 'ml' }, { key: 'dbx_ts_bundle', value: 'ml.prod' }, { key: 'dbx_ts_key', value: 'exp' }] });
    // grants are not part of registered-models/create; the model's full name is its id.
    expect(area.registeredModels['main.ml.churn']).toMatchObject({ comment: 'v1' });
    expect(area.servingEndpoints['churn-endpoint']).toMatchObject({ config: { served_entities: [{ entity_name: 'main.ml.churn', scale_to_zero_enabled: true }] } });
    expect(first.plan.external).toEqual([{ path: 'resources.registered_models.model.grants', reason: expect.stringContaining('Databricks CLI') }]);

    setup.ws.clearRequests();
    const second = await deployBundle(options(setup, model()));
    expect(second.plan.actions.every((a) => a.action === 'noop')).toBe(true);
    expect(writes(setup.ws.requests).filter((r) => !r.path.startsWith('/api/2.0/workspace/'))).toEqual([]);

    setup.ws.clearRequests();
    const third = await deployBundle(options(setup, model({ workers: 4, comment: 'v2', scaleToZero: false })));
    expect(third.plan.actions.map((a) => `${a.action} ${a.address}`)).toEqual([
      'update clusters.shared',
      'noop experiments.exp',
      'update registered_models.model',
      'update model_serving_endpoints.serve',
    ]);
    expect(writes(setup.ws.requests).map((r) => `${r.method} ${r.path}`).filter((p) => !p.includes('/workspace/'))).toEqual([
      'POST /api/2.1/clusters/edit',
      'PATCH /api/2.1/unity-catalog/models/main.ml.churn',
      'PUT /api/2.0/serving-endpoints/churn-endpoint/config',
    ]);
    expect(Object.values(area.clusters)[0]).toMatchObject({ num_workers: 4 });
    expect(area.registeredModels['main.ml.churn']).toMatchObject({ comment: 'v2' });
    expect(area.servingEndpoints['churn-endpoint']).toMatchObject({ config: { config_version: 2, served_entities: [{ scale_to_zero_enabled: false }] } });

    // The artifact location cannot change in place: the experiment is replaced.
    const fourth = await deployBundle(options(setup, model({ workers: 4, comment: 'v2', scaleToZero: false, artifact: 'dbfs:/elsewhere' })));
    expect(fourth.plan.actions.find((a) => a.kind === 'experiments')).toMatchObject({ action: 'replace' });
    const experiments = Object.values(area.experiments);
    expect(experiments.map((e) => e['lifecycle_stage'])).toEqual(['deleted', 'active']);
  });

  it('prefixes names in development mode as the Databricks CLI does', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup, model({}, 'development')));
    const area = setup.ws.state.computeMl!;
    expect(Object.values(area.clusters)[0]).toMatchObject({ cluster_name: '[dev emulator_user] shared', custom_tags: { dev: 'emulator_user' } });
    expect(Object.values(area.experiments)[0]).toMatchObject({ name: '/Shared/ml/[dev emulator_user] exp' });
    expect(Object.keys(area.registeredModels)).toEqual(['main.ml.dev_emulator_user_churn']);
    expect(Object.keys(area.servingEndpoints)).toEqual(['dev_emulator_user_churn-endpoint']);
  });

  it('never takes over a registered model it did not create', async () => {
    setup = await fakeWorkspace();
    setup.ws.state.computeMl = { clusters: {}, experiments: {}, servingEndpoints: {}, registeredModels: { 'main.ml.churn': { name: 'churn', catalog_name: 'main', schema_name: 'ml', full_name: 'main.ml.churn' } } };
    const error = await deployBundle(options(setup, model())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    // Found before any change (the plan sees the model holds the name), not when the create is refused.
    expect((error as UserError).message).toContain('registered_models.model: registered model main.ml.churn exists and is not this bundle');
    expect((error as UserError).hint).toContain('dbx-ts bind');
    expect(setup.ws.state.computeMl.registeredModels['main.ml.churn']).not.toHaveProperty('comment');
  });

  it('names resource types without an adapter on the plan and after the deploy', async () => {
    setup = await fakeWorkspace();
    const sink = recordingSink();
    const planned = await planBundle(options(setup, model({ withApp: true }), { sink }));
    expect(planned.plan.external?.map((e) => e.path)).toEqual(['resources.apps.explorer', 'resources.registered_models.model.grants']);
    expect(formatPlan(planned.plan)).toContain('external resources.apps.explorer — dbx-ts has no adapter for apps; it is built into the bundle: deploy it with the Databricks CLI');
    const deploySink = recordingSink();
    await deployBundle(options(setup, model({ withApp: true }), { sink: deploySink }));
    const warning = deploySink.events.find((e) => e.code === 'deploy.external');
    expect(warning?.level).toBe('warn');
    expect(warning?.message).toContain('resources.apps.explorer');
  });
});
