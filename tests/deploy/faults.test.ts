// Convergence: with a fifth of all requests failing at random (429, 503, resets, and lost responses where the
// server applied the call), deploy still ends with exactly one of each resource. Crash safety: a deploy that
// dies at a random request, then runs again, converges.
import { afterEach, describe, expect, it } from 'vitest';
import { deployBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { DEFAULT_USER, faults, type Fault } from '../../src/emulator/index.ts';
import { census, fakeWorkspace, type FakeSetup } from './fake.ts';
import { sampleFiles, sampleModel } from './helpers.ts';

const paths = bundlePaths({ bundle: 'shop', target: 'dev', userName: DEFAULT_USER.userName });
const EXPECTED = {
  jobs: ['[dev emulator_user] Workflow'],
  pipelines: ['[dev emulator_user] pl_silver'],
  scopes: ['kv_scope'],
  schemas: [],
  volumes: [],
  dashboards: ['[dev emulator_user] Sales'],
  files: ['src/notebooks/ingest', 'src/pipelines/pl.sql'],
};
const RANDOM_FAULTS: Fault[] = [
  { kind: 'status', status: 429 },
  faults.unavailable(),
  faults.reset(),
  faults.lostResponse('reset'),
  faults.lostResponse('status503'),
];
const CREATES = ['/api/2.2/jobs/create', '/api/2.0/pipelines', '/api/2.0/secrets/scopes/create', '/api/2.0/lakeview/dashboards'];

let setup: FakeSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

function options(s: FakeSetup, extra: Partial<DeployOptions> = {}): DeployOptions {
  const model = sampleModel();
  return { model, files: sampleFiles(model), repoRoot: s.cacheDir, env: { BUNDLE_VAR_kv_id: '/subscriptions/s/kv' }, ...s.connection, ...extra };
}

describe('deploy under faults', () => {
  it('ends with exactly one of each resource over 20 seeds with 20% random faults', async () => {
    let lostCreates = 0;
    let faulted = 0;
    for (let seed = 1; seed <= 20; seed++) {
      setup = await fakeWorkspace({ seed, faults: { random: { rate: 0.2, faults: RANDOM_FAULTS } } });
      await deployBundle(options(setup));
      expect(census(setup.ws, paths.files), `seed ${seed}`).toEqual(EXPECTED);
      faulted += setup.ws.requests.filter((r) => r.fault).length;
      lostCreates += setup.ws.requests.filter((r) => r.fault === 'lost-response' && r.method === 'POST' && CREATES.includes(r.path)).length;
      // Converged: once the network is healthy, nothing is left to do.
      setup.ws.setFaults({});
      const again = await deployBundle(options(setup));
      expect(again.plan.actions.every((a) => a.action === 'noop'), `seed ${seed}`).toBe(true);
      await setup.ws.close();
      setup = undefined;
    }
    expect(faulted).toBeGreaterThan(50);
    expect(lostCreates).toBeGreaterThan(0);
  });

  it('converges after a deploy dies at a random request', async () => {
    // How many requests a clean first deploy makes.
    const probe = await fakeWorkspace();
    await deployBundle(options(probe));
    const total = probe.ws.requests.length;
    await probe.ws.close();

    let died = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const crashAt = 1 + ((seed * 7919) % (total - 1));
      setup = await fakeWorkspace();
      // From request `crashAt` on, every call fails: the process is gone as far as the workspace can tell.
      setup.ws.setFaults({ rules: [{ match: '*', skip: crashAt, times: Infinity, fault: { kind: 'status', status: 400, errorCode: 'SIMULATED_CRASH', message: 'simulated crash' } }] });
      // A crash while releasing the lock leaves the deploy itself complete; anywhere earlier it fails.
      if ((await deployBundle(options(setup)).then(() => false, () => true))) died += 1;
      setup.ws.setFaults({});
      // Half the reruns come from a machine without the local state cache (a fresh CI runner).
      const rerun = seed % 2 === 0 ? { cacheDir: `${setup.cacheDir}/fresh` } : {};
      await deployBundle(options(setup, { forceLock: true, ...rerun }));
      expect(census(setup.ws, paths.files), `crash at request ${crashAt}`).toEqual(EXPECTED);
      const third = await deployBundle(options(setup, rerun));
      expect(third.plan.actions.every((a) => a.action === 'noop'), `crash at request ${crashAt}`).toBe(true);
      await setup.ws.close();
      setup = undefined;
    }
    expect(died).toBeGreaterThanOrEqual(8);
  });
});
