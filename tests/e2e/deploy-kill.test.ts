// Kill -9 in the middle of a deploy: the real CLI in a child process deploys the reference bundle to the fake
// workspace and is killed with SIGKILL once the workspace has seen a chosen number of requests. A plain rerun
// (no --force-lock) then takes over the dead process's lock with a notice, converges, and creates nothing twice.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { DEFAULT_USER } from '../../src/emulator/index.ts';
import { REPO_ROOT, scratchProject, type CliResult, captureCli } from '../build/helpers.ts';
import { census, fakeWorkspace, type FakeSetup } from '../deploy/fake.ts';

const paths = bundlePaths({ bundle: 'sales_lakehouse', target: 'dev', userName: DEFAULT_USER.userName });
const VARS = {
  BUNDLE_VAR_warehouse_id: 'wh-1234',
  BUNDLE_VAR_keyvault_resource_id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sales-kv',
  BUNDLE_VAR_keyvault_dns_name: 'https://sales-kv.vault.azure.net/',
};
const EXPECTED = {
  jobs: ['[dev emulator_user] Unified_Workflow_Job'],
  pipelines: ['[dev emulator_user] pl_streaming_data_to_silver'],
  scopes: ['adls_scope'],
  // Development mode: this user's own schemas.
  schemas: ['bronze', 'gold', 'landing', 'silver'].map((s) => `sales_lakehouse.dev_emulator_user_${s}`),
  volumes: ['sales_lakehouse.dev_emulator_user_landing.raw'],
  dashboards: ['[dev emulator_user] Sales lakehouse'],
  files: [
    'src/lib/dbx_ts_tables.py',
    'src/notebooks/gpt_summary',
    'src/notebooks/ingest_batch',
    'src/notebooks/optimize_gold',
    'src/notebooks/process_gold',
    'src/notebooks/simulate_data',
    'src/pipelines/pl_streaming_data_to_silver.sql',
  ],
};

let setup: FakeSetup | undefined;
afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

function env(s: FakeSetup): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DATABRICKS_') && !k.startsWith('ARM_') && !k.startsWith('BUNDLE_VAR_')));
  return { ...clean, ...s.env, ...VARS, HOME: '/nonexistent', CI: 'true' };
}

/** Runs `dbx-ts deploy` in a child process and SIGKILLs it once the workspace has received `killAt` requests. */
async function deployKilledAt(s: FakeSetup, cwd: string, killAt: number): Promise<{ killed: boolean; seen: number }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'dbx-ts.mjs'), 'deploy', '-t', 'dev', '--auto-approve'], { cwd, env: env(s), stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let killed = false;
  const watch = setInterval(() => {
    if (!killed && s.ws.requests.length >= killAt) {
      killed = child.kill('SIGKILL');
    }
  }, 2);
  await exited;
  clearInterval(watch);
  return { killed, seen: s.ws.requests.length };
}

async function cli(s: FakeSetup, cwd: string, args: string[]): Promise<CliResult> {
  return captureCli(args, { cwd, env: env(s) });
}

describe('kill -9 during a deploy', () => {
  it('a plain rerun takes over the dead deploy lock and converges with no duplicates', async () => {
    // How many requests a whole deploy makes; kill early (lock just taken), in the middle (creates in flight)
    // and late (state saves), at random within each part.
    const probe = await fakeWorkspace();
    const probed = await cli(probe, await scratchProject(), ['deploy', '-t', 'dev', '--auto-approve']);
    expect(probed.code).toBe(0);
    const total = probe.ws.requests.length;
    await probe.ws.close();
    const at = (from: number, to: number) => Math.floor(total * (from + Math.random() * (to - from)));
    const points = [3, at(0.3, 0.6), at(0.6, 0.9)];
    let takeovers = 0;
    for (const killAt of points) {
      const cwd = await scratchProject();
      // Latency per request keeps the child inside the deploy while the kill lands.
      setup = await fakeWorkspace({ latencyMs: 15 });
      const { killed, seen } = await deployKilledAt(setup, cwd, killAt);
      expect(killed, `kill at request ${killAt}`).toBe(true);
      const lockLeft = setup.ws.state.objects[`${paths.state.replace(/^\/Workspace/, '')}/deploy.lock`] !== undefined;

      const rerun = await cli(setup, cwd, ['deploy', '-t', 'dev', '--auto-approve']);
      expect(rerun.code, `kill at request ${killAt} (seen ${seen}): ${rerun.stderr}`).toBe(0);
      if (lockLeft) {
        takeovers += 1;
        expect(rerun.stderr).toMatch(/Taking over the deploy lock of emulator-user@example\.com on \S+ \(pid \d+\) since .*: its process \d+ on \S+ is no longer running/);
      }
      expect(census(setup.ws, paths.files), `kill at request ${killAt}`).toEqual(EXPECTED);
      const again = await cli(setup, cwd, ['plan', '-t', 'dev', '--json']);
      expect(again.code).toBe(0);
      const plan = again.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { code: string; data: { actions?: { action: string }[] } }).find((e) => e.code === 'deploy.plan');
      expect(plan?.data.actions?.every((a) => a.action === 'noop'), `kill at request ${killAt}`).toBe(true);
      await setup.ws.close();
      setup = undefined;
    }
    // Kills past the lock leave it behind; the rerun took each over without --force-lock.
    expect(takeovers).toBeGreaterThanOrEqual(2);
    // Ten CLI processes against a workspace with per-request latency: ~30 s alone, more on a busy machine.
  }, 150_000);
});
