// The deploy engine against the fake workspace over real HTTP (a hand-made model, so this does not depend
// on synth): creates once, no-op redeploys, lock, lost state, destroy.
import { afterEach, describe, expect, it } from 'vitest';
import { deployBundle, destroyBundle, planBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { bindResource } from '../../src/deploy/bind.ts';
import { acquireLock } from '../../src/deploy/lock.ts';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { RunFailedError, UserError } from '../../src/errors/index.ts';
import { recordingSink, type DbxEvent } from '../../src/events/types.ts';
import { DEFAULT_USER } from '../../src/emulator/index.ts';
import { census, describeRequest, fakeWorkspace, writes, type FakeSetup } from './fake.ts';
import { sampleFiles, sampleModel } from './helpers.ts';

const paths = bundlePaths({ bundle: 'shop', target: 'dev', userName: DEFAULT_USER.userName });
let setup: FakeSetup | undefined;

afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

function options(s: FakeSetup, extra: Partial<DeployOptions> = {}): DeployOptions {
  const model = sampleModel();
  return {
    model,
    files: sampleFiles(model),
    repoRoot: s.cacheDir,
    env: { BUNDLE_VAR_kv_id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv' },
    ...s.connection,
    ...extra,
  };
}

const EXPECTED = {
  jobs: ['[dev emulator_user] Workflow'],
  pipelines: ['[dev emulator_user] pl_silver'],
  scopes: ['kv_scope'],
  schemas: [],
  volumes: [],
  dashboards: ['[dev emulator_user] Sales'],
  files: ['src/notebooks/ingest', 'src/pipelines/pl.sql'],
};

describe('deployBundle against the fake workspace', () => {
  it('creates each resource once, then a second deploy writes nothing but the lock', async () => {
    setup = await fakeWorkspace();
    const first = await deployBundle(options(setup));
    expect(first.plan.actions.map((a) => a.action)).toEqual(['create', 'create', 'create', 'create', 'create', 'create']);
    expect(census(setup.ws, paths.files)).toEqual(EXPECTED);
    const job = Object.values(setup.ws.state.jobs)[0]!;
    const pipelineId = Object.keys(setup.ws.state.pipelines)[0];
    const dashboardId = Object.keys(setup.ws.state.dashboards)[0];
    expect(job.settings).toMatchObject({
      tags: { team: 'data', dev: 'emulator_user', dbx_ts_bundle: 'shop.dev', dbx_ts_key: 'wf' },
      schedule: { pause_status: 'PAUSED' },
      tasks: [
        { task_key: 'ingest', notebook_task: { notebook_path: `${paths.files}/src/notebooks/ingest`, base_parameters: { catalog: 'shop_cat' } } },
        { task_key: 'pipeline', pipeline_task: { pipeline_id: pipelineId } },
        { task_key: 'refresh', dashboard_task: { dashboard_id: dashboardId, warehouse_id: 'wh-target' } },
      ],
    });
    expect(Object.values(setup.ws.state.pipelines)[0]!.spec).toMatchObject({ development: true, libraries: [{ file: { path: `${paths.files}/src/pipelines/pl.sql` } }] });
    expect(Object.values(setup.ws.state.dashboards)[0]!.published).toMatchObject({ warehouse_id: 'wh-target', embed_credentials: false });
    expect(setup.ws.state.objects[`${paths.state.replace('/Workspace', '')}/deploy.lock`]).toBeUndefined();

    setup.ws.clearRequests();
    const second = await deployBundle(options(setup));
    expect(second.plan.actions.every((a) => a.action === 'noop')).toBe(true);
    expect(writes(setup.ws.requests).map(describeRequest)).toEqual([
      `POST /api/2.0/workspace/import ${paths.state}/deploy.lock`,
      `POST /api/2.0/workspace/delete ${paths.state}/deploy.lock`,
    ]);
    // Who am I, the state and its journal (read together), and the lock check before release; then at most one
    // read per resource (one scopes/list for all scopes, one listing per folder of files).
    const reads = setup.ws.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(reads.filter((p) => p.includes('scim/v2/Me') || p.endsWith('/workspace/export'))).toHaveLength(4);
    // Preflight: the warehouse and the catalog the bundle uses exist (an Entra ID token: the scope needs no look).
    const preflightReads = reads.filter((p) => p.startsWith('/api/2.0/sql/warehouses/') || p.startsWith('/api/2.1/unity-catalog/catalogs/'));
    expect(preflightReads.sort()).toEqual(['/api/2.0/sql/warehouses/wh-target', '/api/2.1/unity-catalog/catalogs/shop_cat']);
    const resourceReads = reads.filter((p) => !p.includes('scim/v2/Me') && !p.endsWith('/workspace/export') && !preflightReads.includes(p));
    expect(resourceReads.sort()).toEqual([
      `/api/2.0/lakeview/dashboards/${Object.keys(setup.ws.state.dashboards)[0]}`,
      `/api/2.0/pipelines/${Object.keys(setup.ws.state.pipelines)[0]}`,
      '/api/2.0/secrets/scopes/list',
      '/api/2.0/workspace/list',
      '/api/2.0/workspace/list',
      '/api/2.2/jobs/get',
    ]);
    expect(resourceReads.length).toBeLessThanOrEqual(second.plan.actions.length);
  });

  it('plan reads only and shows field changes', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup));
    setup.ws.clearRequests();
    const model = sampleModel();
    model.resources.jobs['wf']!.settings.tasks[0]!['timeout_seconds'] = 60;
    const sink = recordingSink();
    const result = await planBundle({ ...options(setup), model, sink });
    expect(writes(setup.ws.requests)).toEqual([]);
    const job = result.plan.actions.find((a) => a.address === 'jobs.wf');
    expect(job).toMatchObject({ action: 'update', changes: [{ path: 'tasks[ingest].timeout_seconds', after: 60 }] });
    const planEvent = sink.events.find((e) => e.code === 'deploy.plan');
    expect(planEvent?.message).toContain('~   update  jobs.wf');
    expect(planEvent?.message).toContain('tasks[ingest].timeout_seconds: (unset) → 60');
  });

  it('fails at once while another deploy holds the lock, and --force-lock takes it over', async () => {
    setup = await fakeWorkspace();
    await setup.client.workspace.mkdirs({ path: paths.state });
    const other = await acquireLock({ client: setup.client, paths, user: 'bob@example.com' });
    setup.ws.clearRequests();
    const error = await deployBundle(options(setup)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/held by bob@example\.com on .+ \(pid \d+\) since \d{4}-\d\d-\d\dT/);
    expect((error as UserError).hint).toContain('--force-lock');
    expect(writes(setup.ws.requests).map(describeRequest)).toEqual([`POST /api/2.0/workspace/import ${paths.state}/deploy.lock`]);

    await deployBundle(options(setup, { forceLock: true }));
    expect(census(setup.ws, paths.files)).toEqual(EXPECTED);
    // Bob's deploy no longer holds the lock; releasing must not remove someone else's.
    await other.release();
    const again = await deployBundle(options(setup));
    expect(again.plan.actions.every((a) => a.action === 'noop')).toBe(true);
  });

  it('after a lost state adopts what carries its identity, and stops before any change at what only has its name', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup));
    await setup.client.workspace.delete({ path: `${paths.state}/deployment.json` });
    const fresh = await fakeWorkspaceCache();
    setup.ws.clearRequests();
    // The scope has only its name: it could be anyone's, so the deploy names the bind that would make it ours.
    const stopped = await deployBundle(options(setup, { cacheDir: fresh })).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(UserError);
    expect((stopped as UserError).message).toContain('secret_scopes.kv: secret scope kv_scope exists and is not this bundle');
    expect((stopped as UserError).hint).toContain('dbx-ts bind kv kv_scope -t dev');
    expect(writes(setup.ws.requests).map(describeRequest)).toEqual([
      `POST /api/2.0/workspace/import ${paths.state}/deploy.lock`,
      `POST /api/2.0/workspace/delete ${paths.state}/deploy.lock`,
    ]);

    await bindResource({ ...options(setup, { cacheDir: fresh }), key: 'kv', id: 'kv_scope' });
    const result = await deployBundle(options(setup, { cacheDir: fresh }));
    expect(result.stateSource).toBe('workspace');
    expect(result.plan.actions.filter((a) => a.action === 'create')).toEqual([]);
    const marks = Object.fromEntries(result.plan.actions.map((a) => [a.address, a.bound ? 'bound' : a.adopted ? 'adopted' : a.action]));
    expect(marks).toEqual({
      'secret_scopes.kv': 'bound',
      'files.src/notebooks/ingest.py': 'adopted',
      'files.src/pipelines/pl.sql': 'adopted',
      'pipelines.pl': 'adopted',
      'dashboards.dash': 'adopted',
      'jobs.wf': 'adopted',
    });
    expect(census(setup.ws, paths.files)).toEqual(EXPECTED);
    const third = await deployBundle(options(setup, { cacheDir: fresh }));
    expect(third.plan.actions.every((a) => a.action === 'noop' && !a.adopted && !a.bound)).toBe(true);
  });

  it('refuses deletions without approval when nobody can be asked, and deletes with it', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup));
    const model = sampleModel();
    delete model.resources.jobs['wf'];
    const error = await deployBundle({ ...options(setup), model }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('delete jobs.wf');
    expect((error as UserError).hint).toContain('--auto-approve');
    expect(census(setup.ws, paths.files).jobs).toHaveLength(1);

    const asked: string[] = [];
    await expect(deployBundle({ ...options(setup), model, confirm: async (q) => (asked.push(q), false) })).rejects.toThrow(/not approved/);
    expect(asked[0]).toContain('delete jobs.wf');
    await deployBundle({ ...options(setup), model, autoApprove: true });
    expect(census(setup.ws, paths.files).jobs).toEqual([]);
  });

  it('updates and replaces in place, keeping ids, then settles', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup));
    const jobId = Object.keys(setup.ws.state.jobs)[0];
    const pipelineId = Object.keys(setup.ws.state.pipelines)[0];
    const dashboardId = Object.keys(setup.ws.state.dashboards)[0]!;
    const model = sampleModel();
    model.resources.jobs['wf']!.settings.tasks[0]!['timeout_seconds'] = 600;
    model.resources.pipelines['pl']!.settings['channel'] = 'PREVIEW';
    model.resources.secret_scopes['kv']!.settings.keyvault_metadata!.dns_name = 'https://kv2.vault.azure.net/';
    const changed = { ...options(setup), model, files: sampleFiles(model, 2) };

    // Replacing the scope deletes it (and its secrets): that needs approval.
    await expect(deployBundle(changed)).rejects.toThrow(/replace secret_scopes\.kv/);
    const result = await deployBundle({ ...changed, autoApprove: true });
    expect(Object.fromEntries(result.plan.actions.map((a) => [a.address, a.action]))).toEqual({
      'secret_scopes.kv': 'replace',
      'files.src/notebooks/ingest.py': 'update',
      'files.src/pipelines/pl.sql': 'update',
      'pipelines.pl': 'update',
      'dashboards.dash': 'update',
      'jobs.wf': 'update',
    });
    expect(Object.keys(setup.ws.state.jobs)).toEqual([jobId]);
    expect(Object.keys(setup.ws.state.pipelines)).toEqual([pipelineId]);
    expect((setup.ws.state.jobs[jobId!]!.settings['tasks'] as { timeout_seconds?: number }[])[0]!.timeout_seconds).toBe(600);
    expect(setup.ws.state.pipelines[pipelineId!]!.spec['channel']).toBe('PREVIEW');
    expect(setup.ws.state.secretScopes['kv_scope']!.keyvault_metadata?.dns_name).toBe('https://kv2.vault.azure.net/');
    expect(setup.ws.state.dashboards[dashboardId]!.serialized_dashboard).toContain('p2');
    const notebook = setup.ws.state.objects[`${paths.files.replace('/Workspace', '')}/src/notebooks/ingest`]!;
    expect((await setup.ws.readContent(notebook.blob!)).toString()).toContain('v2');

    const settled = await deployBundle({ ...changed });
    expect(settled.plan.actions.every((a) => a.action === 'noop')).toBe(true);
  });

  it('puts back what was edited in the workspace', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup));
    const job = Object.values(setup.ws.state.jobs)[0]!;
    job.settings['name'] = 'renamed in the UI';
    const dashboard = Object.values(setup.ws.state.dashboards)[0]!;
    dashboard.serialized_dashboard = '{"pages":[]}';
    dashboard.etag = String(Number(dashboard.etag) + 1);
    const result = await deployBundle(options(setup));
    expect(result.plan.actions.filter((a) => a.action === 'update').map((a) => [a.address, a.changes.map((c) => `${c.path} (${c.source})`)])).toEqual([
      ['dashboards.dash', ['serialized_dashboard (remote)']],
      ['jobs.wf', ['name (remote)']],
    ]);
    expect(job.settings['name']).toBe('[dev emulator_user] Workflow');
    expect(dashboard.serialized_dashboard).toContain('p1');
  });

  it('stops on Ctrl-C after the calls in flight, saves what they did, releases the lock, and resumes', async () => {
    setup = await fakeWorkspace();
    const controller = new AbortController();
    const sink = (e: DbxEvent) => {
      if (e.code === 'deploy.action' && e.data.status === 'done') controller.abort();
    };
    const error = await deployBundle(options(setup, { signal: controller.signal, sink, parallelism: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect((error as RunFailedError).outcome).toBe('cancelled');
    expect(census(setup.ws, paths.files).scopes).toEqual(['kv_scope']);
    expect(census(setup.ws, paths.files).jobs).toEqual([]);
    expect(setup.ws.state.objects[`${paths.state.replace('/Workspace', '')}/deploy.lock`]).toBeUndefined();
    const resumed = await deployBundle(options(setup));
    expect(resumed.plan.actions.find((a) => a.address === 'secret_scopes.kv')?.action).toBe('noop');
    expect(census(setup.ws, paths.files)).toEqual(EXPECTED);
  });

  it('destroy removes everything it deployed and the bundle folder', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup));
    await expect(destroyBundle(options(setup))).rejects.toThrow(UserError);
    await destroyBundle(options(setup, { autoApprove: true }));
    expect(census(setup.ws, paths.files)).toEqual({ jobs: [], pipelines: [], scopes: [], schemas: [], volumes: [], dashboards: [], files: [] });
    expect(Object.keys(setup.ws.state.objects).filter((p) => p.startsWith(paths.root.replace('/Workspace', '')))).toEqual([]);
  });
});

async function fakeWorkspaceCache(): Promise<string> {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return mkdtemp(join(tmpdir(), 'dbx-ts-cache-'));
}
