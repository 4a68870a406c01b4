// Plan files against the fake workspace: a plan made before a target's first deploy applies; a plan whose
// state basis moved (a state appeared, was replaced, or another deploy ran) is refused before any change; the
// plan document of an unchanged workspace is the same every time it is made.
import { afterEach, describe, expect, it } from 'vitest';
import { deployBundle, planBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { planDocument, refuseStalePlan, type PlanDocument } from '../../src/deploy/plan-file.ts';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { STATE_FILE } from '../../src/deploy/state.ts';
import { UserError } from '../../src/errors/index.ts';
import { DEFAULT_USER } from '../../src/emulator/index.ts';
import { census, fakeWorkspace, writes, type FakeSetup } from './fake.ts';
import { sampleFiles, sampleModel } from './helpers.ts';

const paths = bundlePaths({ bundle: 'shop', target: 'dev', userName: DEFAULT_USER.userName });
const statePath = `${paths.state}/${STATE_FILE}`;
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

async function planFile(s: FakeSetup): Promise<PlanDocument> {
  const made = await planBundle(options(s));
  return JSON.parse(JSON.stringify(planDocument(made.plan, made.basis, { cliVersion: 'test' }))) as PlanDocument;
}

/** deployBundle as `deploy --plan` calls it. */
function deployPlan(s: FakeSetup, saved: PlanDocument, extra: Partial<DeployOptions> = {}) {
  return deployBundle(options(s, { ...extra, reviewedPlan: (plan, basis) => refuseStalePlan('plan.json', saved, planDocument(plan, basis, { cliVersion: 'test' })) }));
}

/** The deploy state as stored in the workspace, rewritten by `edit` (as another machine or a restore would). */
async function editRemoteState(s: FakeSetup, edit: (state: Record<string, unknown>) => void): Promise<void> {
  const exported = await s.client.workspace.export({ path: statePath, format: 'AUTO' });
  const state = JSON.parse(Buffer.from(exported.content!, 'base64').toString('utf8')) as Record<string, unknown>;
  edit(state);
  await s.client.workspace.import({ path: statePath, content: Buffer.from(JSON.stringify(state)), format: 'RAW', overwrite: true });
}

describe('deploy --plan', () => {
  it("applies a plan made before the target's first deploy (no state yet)", async () => {
    setup = await fakeWorkspace();
    const saved = await planFile(setup);
    // A defined identity for "no state", not a lineage invented by this read.
    expect(saved.state).toBe('none');
    expect(saved.lineage).toBeUndefined();
    expect(saved.serial).toBe(0);
    const applied = await deployPlan(setup, saved);
    expect(applied.applied?.done.length).toBe(6);
    expect(census(setup.ws, paths.files).jobs).toEqual(['[dev emulator_user] Workflow']);
  });

  it('refuses a plan made with no state once a deploy has written one, before any change', async () => {
    setup = await fakeWorkspace();
    const saved = await planFile(setup);
    await deployBundle(options(setup));
    setup.ws.clearRequests();
    const refused = deployPlan(setup, saved);
    await expect(refused).rejects.toBeInstanceOf(UserError);
    await expect(refused).rejects.toThrow(/a deploy state appeared since the plan was made/);
    // Only the lock was written and released.
    expect(writes(setup.ws.requests).every((r) => JSON.stringify(r.body ?? {}).includes('deploy.lock'))).toBe(true);
  });

  it('refuses a plan whose state was replaced by another one with the same serial', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup));
    const saved = await planFile(setup);
    expect(saved.lineage).toMatch(/^[0-9a-f-]{36}$/);
    await deployBundle(options(setup, { cacheDir: `${setup.cacheDir}/other` }));
    await editRemoteState(setup, (state) => {
      state['lineage'] = '00000000-0000-4000-8000-000000000000';
      state['serial'] = saved.serial;
    });
    await expect(deployPlan(setup, saved, { cacheDir: `${setup.cacheDir}/none` })).rejects.toThrow(/the deploy state was replaced since the plan was made/);
  });

  it('makes the same plan document twice for a state written before lineages existed, and applies it', async () => {
    setup = await fakeWorkspace();
    await deployBundle(options(setup));
    await editRemoteState(setup, (state) => {
      delete state['lineage'];
    });
    const cacheDir = `${setup.cacheDir}/fresh`;
    const first = await planBundle(options(setup, { cacheDir }));
    const second = await planBundle(options(setup, { cacheDir }));
    const doc = (r: typeof first) => planDocument(r.plan, r.basis, { cliVersion: 'test' });
    expect(doc(second)).toEqual(doc(first));
    expect(doc(first).lineage).toBeUndefined();
    await expect(deployPlan(setup, doc(first), { cacheDir })).resolves.toBeDefined();
  });
});
