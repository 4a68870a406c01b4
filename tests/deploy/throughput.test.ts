// How deploy spends its requests: one jobs/list for the adoption and drift checks of every job (however many),
// uploads and resource calls each within their own limit of calls in flight, the state written once per deploy
// (changes journaled in between), and a deploy that dies mid-way finished by the next one from its journal,
// with nothing created twice.
import { afterEach, describe, expect, it } from 'vitest';
import { deployBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { JOURNAL_FILE, STATE_FILE } from '../../src/deploy/state.ts';
import { DEFAULT_USER, type RequestRecord } from '../../src/emulator/index.ts';
import type { BundleModel } from '../../src/model/types.ts';
import type { SynthFile } from '../../src/synth/index.ts';
import { fakeWorkspace, inFlightMeter, type FakeSetup, type InFlightMeter } from './fake.ts';
import { sampleFiles, sampleModel } from './helpers.ts';

const paths = bundlePaths({ bundle: 'shop', target: 'dev', userName: DEFAULT_USER.userName });
const CRASH = { kind: 'status' as const, status: 400, errorCode: 'SIMULATED_CRASH', message: 'simulated crash' };
let setup: FakeSetup | undefined;
let meter: InFlightMeter | undefined;

afterEach(async () => {
  await setup?.ws.close();
  await meter?.close();
  setup = undefined;
  meter = undefined;
});

/** The sample bundle plus `notebooks` notebooks run by `jobs` jobs (each job runs its own share of them). */
function bigBundle(notebooks: number, jobs: number): { model: BundleModel; files: SynthFile[] } {
  const model = sampleModel();
  for (let i = 0; i < notebooks; i++) {
    model.notebooks[`nb${i}`] = { source: `nb${i}.py`, path: `src/notebooks/nb${i}.py`, language: 'PYTHON', parameters: {}, widgets: {}, secrets: {}, tables: [] };
  }
  const share = Math.max(1, Math.floor(notebooks / jobs));
  for (let j = 0; j < jobs; j++) {
    const tasks = Array.from({ length: share }, (_, t) => ({ task_key: `t${t}`, notebook_task: { notebook_path: `src/notebooks/nb${(j * share + t) % notebooks}.py`, source: 'WORKSPACE' } }));
    model.resources.jobs[`job${j}`] = { settings: { name: `job ${j}`, tasks } };
  }
  return { model, files: sampleFiles(model) };
}

function options(s: FakeSetup, bundle: { model: BundleModel; files: SynthFile[] }, extra: Partial<DeployOptions> = {}): DeployOptions {
  return { model: bundle.model, files: bundle.files, repoRoot: s.cacheDir, env: { BUNDLE_VAR_kv_id: '/subscriptions/s/kv' }, ...s.connection, ...extra };
}

const count = (requests: RequestRecord[], method: string, path: string) => requests.filter((r) => r.method === method && r.path === path).length;
const bodyPath = (r: RequestRecord) => String((r.body as { path?: unknown } | undefined)?.path ?? '');
const jobNames = (s: FakeSetup) => Object.values(s.ws.state.jobs).map((j) => String(j.settings['name'])).sort();

describe('deploy requests', () => {
  it('reads its schemas with one schemas/list per catalog, and sees drift in it', async () => {
    setup = await fakeWorkspace();
    const model = sampleModel();
    for (const name of ['raw', 'clean', 'served']) model.resources.schemas[name] = { settings: { name, catalog_name: '${var.catalog}', comment: `${name} data` } };
    const bundle = { model, files: sampleFiles(model) };
    const schemaRequests = (s: FakeSetup) => s.ws.requests.filter((r) => r.path.startsWith('/api/2.1/unity-catalog/schemas') && r.method === 'GET');
    await deployBundle(options(setup, bundle));
    expect(schemaRequests(setup).map((r) => r.path)).toEqual(['/api/2.1/unity-catalog/schemas']);
    expect(Object.keys(setup.ws.state.unityCatalog!.schemas).filter((k) => k.startsWith('shop_cat.'))).toHaveLength(3);

    setup.ws.clearRequests();
    const again = await deployBundle(options(setup, bundle));
    expect(again.plan.actions.every((a) => a.action === 'noop')).toBe(true);
    expect(schemaRequests(setup).map((r) => r.path)).toEqual(['/api/2.1/unity-catalog/schemas']);

    // A comment changed by hand is drift the listing shows: the next deploy puts it back.
    const [drifted] = Object.values(setup.ws.state.unityCatalog!.schemas).filter((s) => s.catalog_name === 'shop_cat');
    drifted!.comment = 'changed by hand';
    setup.ws.clearRequests();
    const fixed = await deployBundle(options(setup, bundle));
    expect(fixed.plan.actions.filter((a) => a.action === 'update').map((a) => a.address)).toEqual([`schemas.${drifted!.name.replace(/^dev_emulator_user_/, '')}`]);
    expect(drifted!.comment).not.toBe('changed by hand');
    expect(schemaRequests(setup)).toHaveLength(1);
  });

  it.each([3, 30])('reads %i jobs with one jobs/list, on a first deploy, a redeploy and after a lost state', async (jobs) => {
    setup = await fakeWorkspace();
    const bundle = bigBundle(jobs, jobs);
    await deployBundle(options(setup, bundle));
    expect(count(setup.ws.requests, 'GET', '/api/2.2/jobs/list')).toBe(1);
    expect(count(setup.ws.requests, 'GET', '/api/2.2/jobs/get')).toBe(0);
    expect(jobNames(setup)).toHaveLength(jobs + 1);

    setup.ws.clearRequests();
    const again = await deployBundle(options(setup, bundle));
    expect(again.plan.actions.every((a) => a.action === 'noop')).toBe(true);
    expect(count(setup.ws.requests, 'GET', '/api/2.2/jobs/list')).toBe(1);
    expect(count(setup.ws.requests, 'GET', '/api/2.2/jobs/get')).toBe(0);

    // Without a state, every job is found again (by its tags) in the same one listing, and none is made twice.
    await setup.client.workspace.delete({ path: `${paths.state}/${STATE_FILE}` });
    setup.ws.clearRequests();
    const adopted = await deployBundle(options(setup, bundle, { cacheDir: `${setup.cacheDir}/fresh` })).catch((e: unknown) => e);
    // The sample's Key Vault scope has only its name: that deploy stops at it, after the reads.
    expect(String(adopted)).toContain('secret_scopes.kv');
    expect(count(setup.ws.requests, 'GET', '/api/2.2/jobs/list')).toBe(1);
    expect(jobNames(setup)).toHaveLength(jobs + 1);
  });

  it('keeps uploads and resource calls each within their own limit, more uploads than resource calls', async () => {
    let target = '';
    meter = await inFlightMeter(
      () => target,
      (method, path, body) => {
        const where = String((body as { path?: unknown } | undefined)?.path ?? '');
        if (method === 'POST' && path === '/api/2.0/workspace/import' && where.startsWith(paths.files)) return 'uploads';
        if (path.startsWith('/api/2.2/jobs/') || path.startsWith('/api/2.0/pipelines') || path.startsWith('/api/2.0/lakeview/') || path.startsWith('/api/2.0/secrets/')) return 'resources';
        return 'other';
      },
    );
    setup = await fakeWorkspace({ latencyMs: 20 }, (url) => {
      target = url;
      return meter!.url;
    });
    await deployBundle(options(setup, bigBundle(36, 12), { parallelism: 3, uploadParallelism: 7 }));
    // The limits hold, and are reached: neither pool borrows the other's slots.
    expect(meter.max['uploads']).toBe(7);
    expect(meter.max['resources']).toBe(3);
    expect(jobNames(setup)).toHaveLength(13);
  });

  it('writes the state once per deploy, and not at all when nothing changed', async () => {
    setup = await fakeWorkspace();
    const bundle = bigBundle(20, 10);
    await deployBundle(options(setup, bundle));
    const stateWrites = (requests: RequestRecord[]) => requests.filter((r) => r.path === '/api/2.0/workspace/import' && bodyPath(r).endsWith(`/state/${STATE_FILE}`)).length;
    expect(stateWrites(setup.ws.requests)).toBe(1);
    setup.ws.clearRequests();
    await deployBundle(options(setup, bundle));
    expect(stateWrites(setup.ws.requests)).toBe(0);
    expect(setup.ws.requests.filter((r) => r.path === '/api/2.0/workspace/import' && bodyPath(r).endsWith(JOURNAL_FILE))).toEqual([]);
  });
});

describe('a deploy that dies mid-way', () => {
  /** Lets `creates` jobs be created, then fails every request: the process is gone as far as the workspace can tell. */
  function dieAfterJobCreates(s: FakeSetup, creates: number): void {
    const jobs = s.creator.jobs;
    const create = jobs.create.bind(jobs);
    let made = 0;
    jobs.create = async (...args: Parameters<typeof create>) => {
      const created = await create(...args);
      if (++made === creates) s.ws.setFaults({ rules: [{ match: '*', times: Infinity, fault: CRASH }] });
      return created;
    };
  }

  it('is finished by the next deploy on the same machine from its journal, creating nothing twice', async () => {
    setup = await fakeWorkspace();
    const bundle = bigBundle(20, 10);
    dieAfterJobCreates(setup, 6);
    await expect(deployBundle(options(setup, bundle, { parallelism: 2 }))).rejects.toThrow();
    const before = jobNames(setup);
    expect(before.length).toBeGreaterThanOrEqual(6);
    expect(before.length).toBeLessThan(11);
    // The state was never written; the journal on this machine has every change made before the crash.
    expect(setup.ws.requests.some((r) => bodyPath(r).endsWith(`/state/${STATE_FILE}`) && r.status === 200)).toBe(false);

    setup.ws.setFaults({});
    setup.ws.clearRequests();
    const resumed = await deployBundle(options(setup, bundle, { forceLock: true }));
    const jobActions = resumed.plan.actions.filter((a) => a.kind === 'jobs');
    // The jobs made before the crash are known from the journal: neither created again nor found by a search.
    expect(jobActions.filter((a) => a.action === 'noop' && !a.adopted)).toHaveLength(before.length);
    expect(jobActions.filter((a) => a.action === 'create')).toHaveLength(11 - before.length);
    expect(jobNames(setup)).toHaveLength(11);
    expect(new Set(jobNames(setup)).size).toBe(11);

    const settled = await deployBundle(options(setup, bundle));
    expect(settled.plan.actions.every((a) => a.action === 'noop' && !a.adopted)).toBe(true);
  });

  it("is finished from another machine with the workspace's journal, finding the rest by their tags", async () => {
    setup = await fakeWorkspace();
    const bundle = bigBundle(20, 10);
    dieAfterJobCreates(setup, 6);
    // Journal batches written as soon as possible.
    await expect(deployBundle(options(setup, bundle, { parallelism: 2, journalFlushMs: 0 }))).rejects.toThrow();
    const before = jobNames(setup).length;
    setup.ws.setFaults({});
    const resumed = await deployBundle(options(setup, bundle, { forceLock: true, cacheDir: `${setup.cacheDir}/fresh` }));
    const jobActions = resumed.plan.actions.filter((a) => a.kind === 'jobs');
    expect(jobActions.filter((a) => a.action === 'create')).toHaveLength(11 - before);
    // Each job made before the crash is known again: from the workspace's journal when its batch was written
    // in time (how many were depends on timing), else found by its tags; none is created a second time.
    expect(jobActions.filter((a) => a.action === 'noop')).toHaveLength(before);
    expect(jobNames(setup)).toHaveLength(11);
    expect(new Set(jobNames(setup)).size).toBe(11);
  });
});
