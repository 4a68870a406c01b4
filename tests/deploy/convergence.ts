// Deploy convergence under random faults, shared by the CI test (10 seeds) and `npm run bench:faults` (30):
// the reference bundle deployed to a fake workspace where a fraction of all requests fail with every kind of
// fault (429, 500, 502, 503, 504, resets, and lost responses: applied by the server, answered with a reset or
// a 5xx). Time is virtual (retry pauses cost nothing), so a seed takes well under a second.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../src/cli/load-bundle.ts';
import { deployBundle, planBundle, type DeployOptions } from '../../src/deploy/deploy.ts';
import { lockPath } from '../../src/deploy/lock.ts';
import type { DeployResult } from '../../src/deploy/deploy.ts';
import { faults, startFakeWorkspace, type FakeWorkspace } from '../../src/emulator/index.ts';
import { seededRandom } from '../../src/emulator/http/faults.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { BundleModel } from '../../src/model/types.ts';
import { synthBundle, type SynthFile } from '../../src/synth/index.ts';
import { createWorkspaceClient } from '../../src/workspace/index.ts';

const REPO = join(import.meta.dirname, '..', '..');
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.convergence-entra-token';
const ENV = { BUNDLE_VAR_warehouse_id: 'local', BUNDLE_VAR_keyvault_resource_id: '/subscriptions/s/kv', BUNDLE_VAR_keyvault_dns_name: 'https://kv.vault.azure.net/' };

export interface SeedOutcome {
  seed: number;
  /** Deploy attempts until one succeeded (plain reruns, never --force-lock); 0 if none did within `maxAttempts`. */
  attempts: number;
  /** Names of objects that exist more than once, or beyond what the bundle declares. */
  duplicates: string[];
  /** A lock left behind after the successful deploy, or a rerun refused because of a lock. */
  staleLocks: number;
  /** With the faults off, the next plan changes nothing. */
  converged: boolean;
  /** Requests that got a fault, over all attempts. */
  faulted: number;
  requests: number;
  /** Why each failed attempt failed. */
  errors: string[];
}

export interface Reference {
  model: BundleModel;
  files: SynthFile[];
  /** What a fault-free deploy leaves in the workspace. */
  expected: Census;
}

type Census = Record<string, string[]>;

/** Objects by kind, named; sorted so that two censuses compare with equality. */
function census(ws: FakeWorkspace, root: string): Census {
  const under = root.replace(/^\/Workspace/, '');
  return {
    jobs: Object.values(ws.state.jobs).map((j) => String(j.settings['name'])).sort(),
    pipelines: Object.values(ws.state.pipelines).map((p) => String(p.spec['name'])).sort(),
    scopes: Object.keys(ws.state.secretScopes).sort(),
    schemas: Object.keys(ws.state.unityCatalog?.schemas ?? {}).sort(),
    volumes: Object.keys(ws.state.unityCatalog?.volumes ?? {}).sort(),
    dashboards: Object.values(ws.state.dashboards).filter((d) => d.lifecycle_state === 'ACTIVE').map((d) => d.display_name).sort(),
    files: Object.entries(ws.state.objects)
      .filter(([path, o]) => path.startsWith(`${under}/files/`) && o.object_type !== 'DIRECTORY')
      .map(([path]) => path)
      .sort(),
  };
}

function extras(actual: Census, expected: Census): string[] {
  const out: string[] = [];
  for (const [kind, names] of Object.entries(actual)) {
    const left = [...(expected[kind] ?? [])];
    for (const name of names) {
      const i = left.indexOf(name);
      if (i >= 0) left.splice(i, 1);
      else out.push(`${kind}: ${name}`);
    }
  }
  return out;
}

async function workspace(seed: number, rate: number): Promise<FakeWorkspace> {
  return startFakeWorkspace({
    tokens: [{ token: TOKEN, kind: 'aad' }],
    seed,
    requestLogLimit: 1_000_000,
    // What the workspace has before the first deploy: the bundle's catalog (its warehouse is the default, local).
    unityCatalog: { catalogs: ['sales_lakehouse'] },
    ...(rate > 0 ? { faults: { random: { rate, faults: faults.everyKind() } } } : {}),
  });
}

/** Deploy options against `ws` with a virtual clock: every retry pause advances time instead of waiting. */
function connect(ws: FakeWorkspace, ref: Reference, cacheDir: string, seed: number): DeployOptions {
  let time = Date.now();
  const clock = { now: () => time, sleep: async (ms: number) => void (time += ms), random: seededRandom(seed * 7 + 3) };
  const env = { DATABRICKS_HOST: ws.url, DATABRICKS_TOKEN: TOKEN };
  const client = createWorkspaceClient({ env, configFile: null, ...clock });
  const creator = createWorkspaceClient({ env, configFile: null, ...clock, retry: { timeoutMs: 0 } });
  return { model: ref.model, files: ref.files, repoRoot: REPO, cacheDir, client, creator, env: ENV, autoApprove: true, createOptions: { sleep: clock.sleep } };
}

export async function referenceDeploy(): Promise<Reference> {
  const { model } = resolve((await loadBundle(REPO)).bundle, 'dev');
  const files = synthBundle(model, { repoRoot: REPO });
  const ws = await workspace(1, 0);
  const cache = await mkdtemp(join(tmpdir(), 'dbx-ts-convergence-'));
  try {
    const result = await deployBundle(connect(ws, { model, files, expected: {} }, cache, 0));
    return { model, files, expected: census(ws, result.paths.root) };
  } finally {
    await ws.close();
    await rm(cache, { recursive: true, force: true });
  }
}

/** One seed: deploy until it succeeds (at most `maxAttempts` plain attempts, faults on throughout), then judge. */
export async function runSeed(ref: Reference, seed: number, rate = 0.2, maxAttempts = 3): Promise<SeedOutcome> {
  const ws = await workspace(seed, rate);
  const cache = await mkdtemp(join(tmpdir(), 'dbx-ts-convergence-'));
  const outcome: SeedOutcome = { seed, attempts: 0, duplicates: [], staleLocks: 0, converged: false, faulted: 0, requests: 0, errors: [] };
  try {
    let result: DeployResult | undefined;
    for (let attempt = 1; attempt <= maxAttempts && !result; attempt++) {
      try {
        result = await deployBundle(connect(ws, ref, cache, seed * 100 + attempt));
        outcome.attempts = attempt;
      } catch (error) {
        const message = (error as Error).message;
        outcome.errors.push(message);
        if (/deploy lock/.test(message)) outcome.staleLocks += 1;
      }
    }
    outcome.faulted = ws.requests.filter((r) => r.fault).length;
    outcome.requests = ws.requests.length;
    ws.setFaults({});
    const judge = await planBundle(connect(ws, ref, cache, seed));
    outcome.converged = result !== undefined && judge.plan.actions.every((a) => a.action === 'noop');
    outcome.duplicates = extras(census(ws, judge.paths.root), ref.expected);
    if (result && ws.state.objects[lockPath(judge.paths).replace(/^\/Workspace/, '')]) outcome.staleLocks += 1;
    return outcome;
  } finally {
    await ws.close();
    await rm(cache, { recursive: true, force: true });
  }
}

export interface Figures {
  seeds: number;
  firstAttempt: number;
  withinTwo: number;
  duplicates: number;
  staleLocks: number;
  faulted: number;
  requests: number;
}

export function summarise(outcomes: SeedOutcome[]): Figures {
  const ok = (o: SeedOutcome, n: number) => o.attempts >= 1 && o.attempts <= n && o.converged;
  return {
    seeds: outcomes.length,
    firstAttempt: outcomes.filter((o) => ok(o, 1)).length,
    withinTwo: outcomes.filter((o) => ok(o, 2)).length,
    duplicates: outcomes.reduce((n, o) => n + o.duplicates.length, 0),
    staleLocks: outcomes.reduce((n, o) => n + o.staleLocks, 0),
    faulted: outcomes.reduce((n, o) => n + o.faulted, 0),
    requests: outcomes.reduce((n, o) => n + o.requests, 0),
  };
}
