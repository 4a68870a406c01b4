// Permissions and run_as in the deploy engine: a resource's own permissions and the bundle's (mapped to each
// object type's levels), the deploying user kept as owner, applied over the Permissions API after the object
// exists, with field-level diffs per principal in the plan.
import { afterEach, describe, expect, it } from 'vitest';
import { Bundle, Resource, resolve } from '../../src/index.ts';
import { deployBundle, planBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { UserError } from '../../src/errors/index.ts';
import { DEFAULT_USER } from '../../src/emulator/index.ts';
import type { BundleModel } from '../../src/model/types.ts';
import { recordingSink } from '../../src/events/types.ts';
import { fakeWorkspace, type FakeSetup } from './fake.ts';
import { sampleFiles, sampleModel } from './helpers.ts';

let setup: FakeSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

const ME = DEFAULT_USER.userName;

function modelWithPermissions(jobLevel = 'CAN_VIEW'): BundleModel {
  const model = sampleModel();
  model.resources.jobs['wf']!.settings['permissions'] = [{ level: jobLevel, group_name: 'analysts' }];
  model.settings = {
    permissions: [
      { level: 'CAN_RUN', user_name: 'ops@example.com' },
      { level: 'CAN_VIEW', group_name: 'viewers' },
    ],
    run_as: { service_principal_name: '9f0c5d1e-0000-4000-8000-000000000001' },
  };
  return model;
}

function options(s: FakeSetup, model: BundleModel): DeployOptions {
  return { model, files: sampleFiles(model), repoRoot: s.cacheDir, env: { BUNDLE_VAR_kv_id: '/subscriptions/s/kv' }, ...s.connection };
}

const aclOf = (s: FakeSetup, path: string) =>
  Object.fromEntries((s.ws.state.permissions?.[path] ?? []).map((e) => [`${e.kind}:${e.name}`, e.level]));

describe('permissions', () => {
  it("applies each object's permissions and the bundle's, in the levels its type allows, keeping the deployer as owner", async () => {
    setup = await fakeWorkspace();
    const result = await deployBundle(options(setup, modelWithPermissions()));
    const order = result.applied!.done.map((a) => a.address);
    expect(order.indexOf('jobs.wf')).toBeLessThan(order.indexOf('permissions.jobs.wf'));
    const jobId = Object.keys(setup.ws.state.jobs)[0]!;
    const pipelineId = Object.keys(setup.ws.state.pipelines)[0]!;
    const dashboardId = Object.keys(setup.ws.state.dashboards)[0]!;
    expect(aclOf(setup, `/jobs/${jobId}`)).toEqual({
      'group_name:analysts': 'CAN_VIEW',
      'group_name:viewers': 'CAN_VIEW',
      'user_name:ops@example.com': 'CAN_MANAGE_RUN',
      [`user_name:${ME}`]: 'IS_OWNER',
    });
    expect(aclOf(setup, `/pipelines/${pipelineId}`)).toEqual({ 'group_name:viewers': 'CAN_VIEW', 'user_name:ops@example.com': 'CAN_RUN', [`user_name:${ME}`]: 'IS_OWNER' });
    // Dashboards have no run level for the bundle's CAN_RUN; CAN_VIEW is CAN_READ there.
    expect(aclOf(setup, `/dashboards/${dashboardId}`)).toEqual({ 'group_name:viewers': 'CAN_READ', [`user_name:${ME}`]: 'CAN_MANAGE' });
    // The bundle's run_as reaches the job; permissions never reach the job's own settings.
    expect(setup.ws.state.jobs[jobId]!.settings['run_as']).toEqual({ service_principal_name: '9f0c5d1e-0000-4000-8000-000000000001' });
    expect(setup.ws.state.jobs[jobId]!.settings['permissions']).toBeUndefined();

    const again = await planBundle(options(setup, modelWithPermissions()));
    expect(again.plan.actions.filter((a) => a.action !== 'noop')).toEqual([]);
  });

  it('plans a changed level as a field change of that principal, and corrects a grant made by hand', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup, modelWithPermissions()));
    const changed = await planBundle(options(setup, modelWithPermissions('CAN_MANAGE_RUN')));
    const action = changed.plan.actions.find((a) => a.address === 'permissions.jobs.wf')!;
    expect(action).toMatchObject({ action: 'update', changes: [{ path: 'access_control_list[group_name:analysts].permission_level', before: 'CAN_VIEW', after: 'CAN_MANAGE_RUN' }] });

    // Someone lowers the analysts' level in the UI: the next plan shows the drift, and deploy puts it back.
    const jobId = Object.keys(setup.ws.state.jobs)[0]!;
    await setup.client.permissions.set('jobs', jobId, [
      { group_name: 'analysts', permission_level: 'CAN_MANAGE_RUN' },
      { user_name: ME, permission_level: 'IS_OWNER' },
    ]);
    const drift = await planBundle(options(setup, modelWithPermissions()));
    const fix = drift.plan.actions.find((a) => a.address === 'permissions.jobs.wf')!;
    expect(fix.action).toBe('update');
    expect(fix.changes.map((c) => c.path)).toEqual(expect.arrayContaining(['access_control_list[group_name:analysts].permission_level']));
    await deployBundle(options(setup, modelWithPermissions()));
    expect(aclOf(setup, `/jobs/${jobId}`)['group_name:analysts']).toBe('CAN_VIEW');
  });

  it("applies clusters' and experiments' permissions in their own levels, the deployer keeping CAN_MANAGE", async () => {
    setup = await fakeWorkspace();
    const app = new Bundle({ name: 'ml', targets: { prod: { default: true, mode: 'production' } }, settings: { permissions: [{ level: 'CAN_VIEW', group_name: 'viewers' }] } });
    new Resource(app, 'clusters', 'shared', {
      cluster_name: 'shared',
      spark_version: '15.4.x-scala2.12',
      node_type_id: 'i3.xlarge',
      num_workers: 1,
      permissions: [{ level: 'CAN_RESTART', group_name: 'ops' }],
    });
    new Resource(app, 'experiments', 'exp', { name: '/Shared/ml/exp', permissions: [{ level: 'CAN_EDIT', group_name: 'ds' }] });
    const model = resolve(app).model;
    const result = await deployBundle({ model, files: [], repoRoot: setup.cacheDir, env: {}, ...setup.connection });
    expect(result.plan.external ?? []).toEqual([]);
    const clusterId = Object.keys(setup.ws.state.computeMl!.clusters)[0]!;
    const experimentId = Object.keys(setup.ws.state.computeMl!.experiments)[0]!;
    expect(aclOf(setup, `/clusters/${clusterId}`)).toEqual({ 'group_name:ops': 'CAN_RESTART', 'group_name:viewers': 'CAN_ATTACH_TO', [`user_name:${ME}`]: 'CAN_MANAGE' });
    expect(aclOf(setup, `/experiments/${experimentId}`)).toEqual({ 'group_name:ds': 'CAN_EDIT', 'group_name:viewers': 'CAN_READ', [`user_name:${ME}`]: 'CAN_MANAGE' });
    const again = await planBundle({ model, files: [], repoRoot: setup.cacheDir, env: {}, ...setup.connection });
    expect(again.plan.actions.filter((a) => a.action !== 'noop')).toEqual([]);
  });

  it("gives pipelines the bundle's run_as too, unless they name their own", async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup, modelWithPermissions()));
    const pipeline = Object.values(setup.ws.state.pipelines)[0]!;
    expect(pipeline.run_as_user_name).toBe('9f0c5d1e-0000-4000-8000-000000000001');
    const own = modelWithPermissions();
    own.resources.pipelines['pl']!.settings['run_as'] = { user_name: 'etl@example.com' };
    const plan = await deployBundle(options(setup, own));
    expect(plan.plan.actions.find((a) => a.address === 'pipelines.pl')).toMatchObject({ action: 'update', changes: [{ path: 'run_as.service_principal_name' }, { path: 'run_as.user_name' }] });
    expect(Object.values(setup.ws.state.pipelines)[0]!.run_as_user_name).toBe('etl@example.com');
  });

  it('refuses a run_as with two identities, or another identity with resources that cannot run as it, before any change', async () => {
    setup = await fakeWorkspace();
    const both = modelWithPermissions();
    both.settings = { run_as: { user_name: 'a@example.com', service_principal_name: '9f0c5d1e-0000-4000-8000-000000000001' } };
    const twice = await deployBundle(options(setup, both)).then(() => undefined, (e: unknown) => e);
    expect(twice).toBeInstanceOf(UserError);
    expect((twice as UserError).message).toContain('run_as: name exactly one identity');

    const embedded = modelWithPermissions();
    embedded.resources.dashboards['dash']!.settings['embed_credentials'] = true;
    const refused = await deployBundle(options(setup, embedded)).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toContain('run_as: dashboards.dash cannot run as 9f0c5d1e-0000-4000-8000-000000000001');
    expect(setup.ws.state.jobs).toEqual({});
  });

  it('refuses a level the object type does not have, naming the resource', async () => {
    setup = await fakeWorkspace();
    const error = await deployBundle(options(setup, modelWithPermissions('CAN_READ'))).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('resources.jobs.wf.permissions: CAN_READ is not a level a job allows');
    expect(setup.ws.state.jobs).toEqual({});
  });

  it('warns, in production, of each job and pipeline that would run as a person, and not of one run by a service principal', async () => {
    setup = await fakeWorkspace();
    const warnings = async (model: BundleModel) => {
      const sink = recordingSink();
      await planBundle({ ...options(setup!, model), sink });
      return sink.events.filter((e) => e.level === 'warn').map((e) => e.message);
    };
    const prod = sampleModel({ mode: 'production', rootPath: '/Workspace/Shared/.bundle/shop/prod' });
    const pipelineWarning = `Pipeline pl_silver (pipelines.pl) would run as ${ME}, a person, on production target dev: set run_as to a service principal (run_as: { service_principal_name: '<application id>' }) on the pipeline or the bundle.`;
    expect(await warnings(prod)).toEqual([
      pipelineWarning,
      `Job Workflow (jobs.wf) would run as ${ME}, a person, on production target dev: set run_as to a service principal (run_as: { service_principal_name: '<application id>' }) on the job or the bundle.`,
    ]);
    prod.resources.jobs['wf']!.settings['run_as'] = { service_principal_name: '9f0c5d1e-0000-4000-8000-000000000001' };
    expect(await warnings(prod)).toEqual([pipelineWarning]);
    prod.settings = { run_as: { service_principal_name: '9f0c5d1e-0000-4000-8000-000000000001' } };
    expect(await warnings(prod)).toEqual([]);
    expect(await warnings(sampleModel())).toEqual([]);
  });
});
