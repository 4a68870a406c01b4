// Unity Catalog grants in the deploy engine: a schema's or volume's `grants` list is applied over the grants API
// once the securable exists, is the whole set of explicit grants there (a principal dropped from the bundle loses
// its privileges, one granted by hand is taken away), and shows per-principal diffs in the plan.
import { afterEach, describe, expect, it } from 'vitest';
import { deployBundle, destroyBundle, planBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { grantChanges, normalizeGrants } from '../../src/deploy/grants.ts';
import { UserError } from '../../src/errors/index.ts';
import type { Grant } from '../../src/constructs/grants.ts';
import type { BundleModel } from '../../src/model/types.ts';
import { fakeWorkspace, type FakeSetup } from './fake.ts';
import { sampleFiles, sampleModel } from './helpers.ts';

let setup: FakeSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

const SCHEMA = 'shop_cat.dev_emulator_user_raw';
const VOLUME = `${SCHEMA}.files`;

function modelWithGrants(schemaGrants: Grant[] = [{ principal: 'analysts', privileges: ['USE_SCHEMA', 'SELECT'] }]): BundleModel {
  const model = sampleModel();
  model.resources.schemas['raw'] = { settings: { name: 'raw', catalog_name: '${var.catalog}', grants: schemaGrants } };
  model.resources.volumes['files'] = {
    settings: {
      name: 'files',
      volume_type: 'MANAGED',
      catalog_name: '${resources.schemas.raw.catalog_name}',
      schema_name: '${resources.schemas.raw.name}',
      grants: [{ principal: 'loaders', privileges: ['WRITE_VOLUME', 'READ_VOLUME'] }],
    },
    schema_key: 'raw',
    path: '/Volumes/${var.catalog}/raw/files',
  };
  return model;
}

function options(s: FakeSetup, model: BundleModel): DeployOptions {
  return { model, files: sampleFiles(model), repoRoot: s.cacheDir, env: { BUNDLE_VAR_kv_id: '/subscriptions/s/kv' }, ...s.connection };
}

const grantsOn = (s: FakeSetup, key: string) => s.ws.state.unityCatalog!.grants[key];

describe('grants', () => {
  it('applies the grants of schemas and volumes after they exist, and plans nothing more afterwards', async () => {
    setup = await fakeWorkspace();
    const result = await deployBundle(options(setup, modelWithGrants()));
    const order = result.applied!.done.map((a) => a.address);
    expect(order.indexOf('schemas.raw')).toBeLessThan(order.indexOf('grants.schemas.raw'));
    expect(order.indexOf('volumes.files')).toBeLessThan(order.indexOf('grants.volumes.files'));
    expect(grantsOn(setup, `schema/${SCHEMA}`)).toEqual({ analysts: ['SELECT', 'USE_SCHEMA'] });
    expect(grantsOn(setup, `volume/${VOLUME}`)).toEqual({ loaders: ['READ_VOLUME', 'WRITE_VOLUME'] });
    const again = await planBundle(options(setup, modelWithGrants()));
    expect(again.plan.actions.filter((a) => a.action !== 'noop')).toEqual([]);
  });

  it('plans a changed grant per principal, takes away what the bundle no longer grants, and corrects grants made by hand', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup, modelWithGrants()));
    const next = modelWithGrants([
      { principal: 'analysts', privileges: ['USE_SCHEMA'] },
      { principal: 'engineers', privileges: ['ALL_PRIVILEGES'] },
    ]);
    const plan = await planBundle(options(setup, next));
    const action = plan.plan.actions.find((a) => a.address === 'grants.schemas.raw')!;
    expect(action.action).toBe('update');
    expect(action.changes.map((c) => c.path).sort()).toEqual(['privilege_assignments[analysts].privileges', 'privilege_assignments[engineers]']);
    await deployBundle(options(setup, next));
    expect(grantsOn(setup, `schema/${SCHEMA}`)).toEqual({ analysts: ['USE_SCHEMA'], engineers: ['ALL_PRIVILEGES'] });

    // Someone grants more by hand: the plan shows the drift, and deploy puts the bundle's grants back.
    await setup.client.grants.update('schema', SCHEMA, [
      { principal: 'intern', add: ['SELECT'] },
      { principal: 'analysts', add: ['MODIFY'] },
    ] as Parameters<typeof setup.client.grants.update>[2]);
    const drift = await planBundle(options(setup, next));
    expect(drift.plan.actions.find((a) => a.address === 'grants.schemas.raw')!.action).toBe('update');
    await deployBundle(options(setup, next));
    expect(grantsOn(setup, `schema/${SCHEMA}`)).toEqual({ analysts: ['USE_SCHEMA'], engineers: ['ALL_PRIVILEGES'] });
    expect((await planBundle(options(setup, next))).plan.actions.filter((a) => a.action !== 'noop')).toEqual([]);
  });

  it('names the field of a grant without a principal, before anything is created', async () => {
    setup = await fakeWorkspace();
    const error = await deployBundle(options(setup, modelWithGrants([{ principal: '', privileges: ['SELECT'] }] as Grant[]))).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('resources.schemas.raw.grants[0].principal');
    expect(setup.ws.state.unityCatalog?.schemas[SCHEMA]).toBeUndefined();
  });

  it('destroy deletes the securables and leaves nothing of the grants behind to fail on', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup, modelWithGrants()));
    await destroyBundle({ ...options(setup, modelWithGrants()), autoApprove: true });
    expect(setup.ws.state.unityCatalog!.schemas[SCHEMA]).toBeUndefined();
  });
});

describe('grant changes', () => {
  it('merges duplicate principals, sorts privileges and lets ALL_PRIVILEGES stand alone', () => {
    expect(normalizeGrants([
      { principal: 'b', privileges: ['SELECT'] },
      { principal: 'a', privileges: ['USE_SCHEMA', 'ALL_PRIVILEGES'] },
      { principal: 'b', privileges: ['MODIFY', 'SELECT'] },
    ] as never, 'grants')).toEqual([
      { principal: 'a', privileges: ['ALL_PRIVILEGES'] },
      { principal: 'b', privileges: ['MODIFY', 'SELECT'] },
    ]);
  });

  it('adds what is missing, removes what is extra, and removes everything from a principal no longer named', () => {
    const changes = grantChanges(
      [{ principal: 'a', privileges: ['SELECT', 'USE_SCHEMA'] }, { principal: 'c', privileges: ['ALL_PRIVILEGES'] }] as never,
      [{ principal: 'a', privileges: ['MODIFY', 'SELECT'] }, { principal: 'b', privileges: ['SELECT'] }] as never,
    );
    expect(changes).toEqual([
      { principal: 'a', add: ['USE_SCHEMA'], remove: ['MODIFY'] },
      { principal: 'c', add: ['ALL_PRIVILEGES'] },
      { principal: 'b', remove: ['ALL_PRIVILEGES'] },
    ]);
    expect(grantChanges([{ principal: 'a', privileges: ['SELECT'] }] as never, [{ principal: 'a', privileges: ['SELECT'] }] as never)).toEqual([]);
  });
});
