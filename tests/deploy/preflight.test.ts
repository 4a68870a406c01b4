// Preflight: before any write (not even the lock) a deploy fails on what it can know, naming every problem
// and its fix; plan shows the same as warnings.
import { afterEach, describe, expect, it } from 'vitest';
import { deployBundle, planBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { UserError } from '../../src/errors/index.ts';
import { recordingSink } from '../../src/events/types.ts';
import { createWorkspaceClient } from '../../src/workspace/index.ts';
import { fakeWorkspace, PAT_TOKEN, writes, type FakeSetup } from './fake.ts';
import { sampleFiles, sampleModel } from './helpers.ts';

const PAT = PAT_TOKEN;
let setup: FakeSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

function options(s: FakeSetup, extra: Partial<DeployOptions> = {}): DeployOptions {
  const model = sampleModel();
  model.resources.schemas['raw'] = { settings: { name: 'raw', catalog_name: '${var.catalog}' } };
  return { model, files: sampleFiles(model), repoRoot: s.cacheDir, env: { BUNDLE_VAR_kv_id: '/subscriptions/s/kv' }, autoApprove: true, ...s.connection, ...extra };
}

describe('preflight', () => {
  it('a Key Vault-backed scope with a personal access token fails before any write', async () => {
    setup = await fakeWorkspace({ tokens: [{ token: PAT, kind: 'pat' }] });
    const client = createWorkspaceClient({ env: { DATABRICKS_HOST: setup.ws.url, DATABRICKS_TOKEN: PAT }, configFile: null });
    setup.ws.clearRequests();
    const error = await deployBundle(options(setup, { client, creator: client })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('nothing was written (not even the deploy lock)');
    expect((error as UserError).message).toContain('the Azure Key Vault-backed scope "kv_scope" must be created, which needs a Microsoft Entra ID token; this deploy authenticates with pat');
    expect((error as UserError).hint).toContain('ARM_CLIENT_ID');
    expect(writes(setup.ws.requests)).toEqual([]);
    expect(setup.ws.state.jobs).toEqual({});
  });

  it('an existing Key Vault-backed scope needs no Entra ID token', async () => {
    setup = await fakeWorkspace({ tokens: [{ token: PAT, kind: 'pat' }] });
    setup.ws.state.secretScopes['kv_scope'] = { name: 'kv_scope', backend_type: 'AZURE_KEYVAULT', keyvault_metadata: { resource_id: '/subscriptions/s/kv', dns_name: 'https://kv.vault.azure.net/' }, secrets: {}, acls: {} };
    const client = createWorkspaceClient({ env: { DATABRICKS_HOST: setup.ws.url, DATABRICKS_TOKEN: PAT }, configFile: null });
    const plan = await planBundle(options(setup, { client, creator: client }));
    expect(plan.plan.actions.find((a) => a.address === 'secret_scopes.kv')?.conflict).toBeDefined();
  });

  it('names a missing warehouse and catalog with the variable that sets them, all at once', async () => {
    setup = await fakeWorkspace({ unityCatalog: { catalogs: [] }, warehouses: [] });
    setup.ws.clearRequests();
    const error = (await deployBundle(options(setup)).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('Preflight found 2 problem(s)');
    expect(error.message).toContain('SQL warehouse wh-target (used by dashboards.dash, jobs.wf) does not exist');
    expect(error.message).toContain('Catalog shop_cat (used by schemas.raw, pipelines.pl) does not exist');
    expect(error.hint).toContain('Set BUNDLE_VAR_warehouse_id (or --var warehouse_id=...) to the id of a SQL warehouse');
    expect(error.hint).toContain('Set BUNDLE_VAR_catalog (or --var catalog=...) to a catalog this identity may use: create it first (CREATE CATALOG shop_cat');
    expect(writes(setup.ws.requests)).toEqual([]);

    const sink = recordingSink();
    await planBundle(options(setup, { sink }));
    expect(sink.events.filter((e) => e.code === 'deploy.preflight').map((e) => e.level)).toEqual(['warn', 'warn']);
  });

  it('a bundle that owns its catalog does not need it to exist', async () => {
    setup = await fakeWorkspace({ unityCatalog: { catalogs: [] } });
    const base = options(setup);
    const model = base.model;
    model.resources.catalogs['cat'] = { settings: { name: 'owned_cat' } };
    model.resources.schemas['raw']!.settings.catalog_name = '${resources.catalogs.cat.name}';
    model.resources.pipelines['pl']!.settings.catalog = '${resources.catalogs.cat.name}';
    const result = await deployBundle({ ...base, model });
    expect(result.plan.actions.slice(0, 2).map((a) => `${a.action} ${a.address}`)).toEqual(['create catalogs.cat', 'create schemas.raw']);
    expect(Object.keys(setup.ws.state.unityCatalog!.schemas)).toEqual(['owned_cat.dev_emulator_user_raw']);
  });
});
