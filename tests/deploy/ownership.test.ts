// Ownership in the deploy engine: bind and unbind, objects that hold a resource's name, deletions that would
// reach another target's objects, and creates that a crash left unrecorded.
import { afterEach, describe, expect, it } from 'vitest';
import { bindResource, unbindResource } from '../../src/deploy/bind.ts';
import { deployBundle, destroyBundle, planBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { UserError } from '../../src/errors/index.ts';
import { DEFAULT_USER } from '../../src/emulator/index.ts';
import type { BundleModel } from '../../src/model/types.ts';
import { fakeWorkspace, type FakeSetup } from './fake.ts';
import { sampleFiles, sampleModel } from './helpers.ts';

const paths = bundlePaths({ bundle: 'shop', target: 'dev', userName: DEFAULT_USER.userName });
let setup: FakeSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

/** The sample bundle with a schema and a volume in it. */
function modelWithSchema(): BundleModel {
  const model = sampleModel();
  model.resources.schemas['raw'] = { settings: { name: 'raw', catalog_name: '${var.catalog}', comment: 'landing' } };
  model.resources.volumes['files'] = {
    settings: { name: 'files', volume_type: 'MANAGED', catalog_name: '${resources.schemas.raw.catalog_name}', schema_name: '${resources.schemas.raw.name}' },
    schema_key: 'raw',
    path: '/Volumes/${var.catalog}/raw/files',
  };
  return model;
}

function options(s: FakeSetup, extra: Partial<DeployOptions> = {}): DeployOptions {
  const model = extra.model ?? modelWithSchema();
  return { model, files: sampleFiles(model), repoRoot: s.cacheDir, env: { BUNDLE_VAR_kv_id: '/subscriptions/s/kv' }, ...s.connection, ...extra };
}

const error = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as UserError);

describe('ownership', () => {
  it('creates schemas and volumes before what uses them, resolving references to their names', async () => {
    setup = await fakeWorkspace();
    const result = await deployBundle(options(setup, { parallelism: 1 }));
    const order = result.applied!.done.map((a) => a.address);
    expect(order.indexOf('schemas.raw')).toBeLessThan(order.indexOf('volumes.files'));
    expect(order.indexOf('volumes.files')).toBeLessThan(order.indexOf('pipelines.pl'));
    expect(order.indexOf('volumes.files')).toBeLessThan(order.indexOf('jobs.wf'));
    expect(setup.ws.state.unityCatalog!.volumes['shop_cat.dev_emulator_user_raw.files']).toMatchObject({ schema_name: 'dev_emulator_user_raw', volume_type: 'MANAGED' });
    // A comment changed in the bundle is an update in place.
    const model = modelWithSchema();
    model.resources.schemas['raw']!.settings['comment'] = 'raw files';
    const changed = await deployBundle(options(setup, { model }));
    expect(changed.plan.actions.find((a) => a.address === 'schemas.raw')).toMatchObject({ action: 'update', changes: [{ path: 'comment', before: 'landing', after: 'raw files' }] });
    expect(setup.ws.state.unityCatalog!.schemas['shop_cat.dev_emulator_user_raw']!.comment).toBe('raw files');
  });

  it('a schema that exists without a record blocks the deploy until it is bound; unbind forgets it again', async () => {
    setup = await fakeWorkspace();
    // Development mode: the schema this user's deploy wants is dev_<short name>_raw.
    await setup.client.schemas.create({ catalog_name: 'shop_cat', name: 'dev_emulator_user_raw', comment: 'made by hand' });
    const stopped = await error(deployBundle(options(setup)));
    expect(stopped).toBeInstanceOf(UserError);
    expect(stopped!.hint).toContain('dbx-ts bind raw shop_cat.dev_emulator_user_raw -t dev');
    expect(setup.ws.state.jobs).toEqual({});

    expect((await error(bindResource({ ...options(setup), key: 'nope', id: 'x' })))!.message).toContain('The bundle has no resource "nope"');
    expect((await error(bindResource({ ...options(setup), key: 'raw', id: 'shop_cat.missing' })))!.message).toContain('No schema with id shop_cat.missing');
    // The hand-made comment differs from the bundle's: binding asks first, and nobody can answer here.
    const asks = await error(bindResource({ ...options(setup), key: 'raw', id: 'shop_cat.dev_emulator_user_raw' }));
    expect(asks!.message).toContain('the next deploy changes comment');
    expect(asks!.hint).toContain('--auto-approve');
    const bound = await bindResource({ ...options(setup), key: 'schemas.raw', id: 'shop_cat.dev_emulator_user_raw', autoApprove: true });
    expect(bound).toEqual({ address: 'schemas.raw', id: 'shop_cat.dev_emulator_user_raw', changes: ['comment'] });
    expect((await error(bindResource({ ...options(setup), key: 'raw', id: 'shop_cat.dev_emulator_user_raw' })))!.message).toContain('already bound');
    expect((await error(bindResource({ ...options(setup), key: 'raw', id: 'shop_cat.other' })))!.hint).toContain('dbx-ts unbind raw -t dev');

    const deployed = await deployBundle(options(setup));
    expect(deployed.plan.actions.find((a) => a.address === 'schemas.raw')).toMatchObject({ action: 'update', bound: true });
    expect(setup.ws.state.unityCatalog!.schemas['shop_cat.dev_emulator_user_raw']!.comment).toBe('landing');

    await unbindResource({ ...options(setup), key: 'raw' });
    expect(setup.ws.state.unityCatalog!.schemas['shop_cat.dev_emulator_user_raw']).toBeDefined();
    const plan = await planBundle(options(setup));
    expect(plan.plan.actions.find((a) => a.address === 'schemas.raw')?.conflict?.id).toBe('shop_cat.dev_emulator_user_raw');
    expect((await error(unbindResource({ ...options(setup), key: 'raw' })))!.message).toContain('not bound to anything');
  });

  it('never binds or deletes a job that carries the identity of another target', async () => {
    setup = await fakeWorkspace();
    const prodJob = await setup.client.jobs.create({ name: 'Workflow', tags: { dbx_ts_bundle: 'shop.prod', dbx_ts_key: 'wf' } });
    const id = String(prodJob.job_id);
    const refused = await error(bindResource({ ...options(setup), key: 'wf', id }));
    expect(refused!.message).toContain('belongs to shop.prod');

    // A state that records prod's job (copied by hand between targets): destroy leaves the job alone.
    await deployBundle(options(setup));
    const statePath = `${paths.state}/deployment.json`;
    const exported = await setup.client.workspace.export({ path: statePath, format: 'AUTO' });
    const state = JSON.parse(Buffer.from(exported.content!, 'base64').toString('utf8')) as { resources: Record<string, { id: string }>; serial: number };
    state.resources['jobs.wf'] = { id, hash: 'x' } as { id: string };
    state.serial += 100;
    await setup.client.workspace.import({ path: statePath, content: Buffer.from(JSON.stringify(state)), format: 'RAW', overwrite: true });
    const result = await destroyBundle(options(setup, { autoApprove: true, cacheDir: `${setup.cacheDir}/other` }));
    expect(result.plan.actions.map((a) => a.address)).not.toContain('jobs.wf');
    expect(Object.keys(setup.ws.state.jobs)).toContain(id);
  });

  it('a deploy that dies right after creating a schema leaves a record the next one recognises', async () => {
    setup = await fakeWorkspace();
    // The create succeeds, then every request fails: the process is gone as far as the workspace can tell.
    const ws = setup.ws;
    const schemas = setup.creator.schemas;
    const create = schemas.create.bind(schemas);
    schemas.create = async (...args: Parameters<typeof create>) => {
      const created = await create(...args);
      ws.setFaults({ rules: [{ match: '*', times: Infinity, fault: { kind: 'status', status: 400, errorCode: 'SIMULATED_CRASH', message: 'crash' } }] });
      return created;
    };
    expect(await error(deployBundle(options(setup)))).toBeDefined();
    expect(setup.ws.state.unityCatalog!.schemas['shop_cat.dev_emulator_user_raw']).toBeDefined();
    setup.ws.setFaults({});
    // Rerun from another machine (no local cache or journal; the dead deploy's lock taken over): the workspace's
    // journal has the record made before the create.
    const again = await deployBundle(options(setup, { cacheDir: `${setup.cacheDir}/fresh`, forceLock: true }));
    expect(again.plan.actions.find((a) => a.address === 'schemas.raw')).toMatchObject({ action: 'noop', adopted: true });
    expect(again.plan.actions.find((a) => a.address === 'volumes.files')?.action).toBe('create');
  });
});
