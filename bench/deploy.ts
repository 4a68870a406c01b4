// Benchmark of deploy (`npm run bench:deploy`): against the fake workspace with 50 ms of latency per request,
// a first deploy of the reference bundle and of a generated bundle (200 notebooks, 50 jobs) at the default
// parallelism and at parallelism 1 (the baseline), then a redeploy with nothing changed. Prints requests, wall
// time and the speed-up; exits 1 if a target is missed (≥ 6× for the large bundle; a no-op redeploy writes
// only the lock and reads at most once per resource).
//
//   npx tsx bench/deploy.ts [--latency 50] [--parallelism 10] [--notebooks 200] [--jobs 50]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadBundle } from '../src/cli/load-bundle.ts';
import { DEFAULT_PARALLELISM, deployBundle, type DeployResult } from '../src/deploy/deploy.ts';
import { startFakeWorkspace, type FakeWorkspace, type RequestRecord } from '../src/emulator/index.ts';
import { resolve } from '../src/model/resolve.ts';
import type { BundleModel, JobSettings } from '../src/model/types.ts';
import { synthBundle, type SynthFile } from '../src/synth/index.ts';
import { createWorkspaceClient } from '../src/workspace/index.ts';

const { values: args } = parseArgs({
  options: {
    latency: { type: 'string', default: '50' },
    parallelism: { type: 'string', default: String(DEFAULT_PARALLELISM) },
    notebooks: { type: 'string', default: '200' },
    jobs: { type: 'string', default: '50' },
  },
});
const LATENCY = Number(args.latency);
const PARALLELISM = Number(args.parallelism);
const REPO = join(import.meta.dirname, '..');
const TOKEN = 'bench-entra-token';

interface Bundle {
  name: string;
  model: BundleModel;
  files: SynthFile[];
  env: Record<string, string>;
}

async function referenceBundle(): Promise<Bundle> {
  const { model } = resolve((await loadBundle(REPO)).bundle, 'dev');
  return {
    name: 'reference bundle',
    model,
    files: synthBundle(model, { repoRoot: REPO }),
    env: { BUNDLE_VAR_warehouse_id: 'wh', BUNDLE_VAR_keyvault_resource_id: '/subscriptions/s/kv', BUNDLE_VAR_keyvault_dns_name: 'https://kv.vault.azure.net/' },
  };
}

/** `notebooks` notebooks spread over `jobs` jobs of chained notebook tasks. */
function generatedBundle(notebookCount: number, jobCount: number): Bundle {
  const target = { name: 'dev', local: false, mode: 'development' as const, workspace: {}, variables: {} };
  const model: BundleModel = {
    bundle: { name: 'generated' },
    catalog: 'main',
    target,
    targets: { dev: target },
    variables: {},
    resources: { jobs: {}, pipelines: {}, secret_scopes: {}, dashboards: {}, catalogs: {}, schemas: {}, volumes: {} },
    notebooks: {},
    locations: {},
  };
  const files: SynthFile[] = [];
  for (let i = 0; i < notebookCount; i++) {
    const id = `nb_${String(i).padStart(3, '0')}`;
    const path = `src/notebooks/${id}.py`;
    model.notebooks[id] = { source: `${id}.py`, path, language: 'PYTHON', parameters: {}, widgets: {}, secrets: {}, tables: [] };
    files.push({ path, content: `# Databricks notebook source\n# ${id}\n${'x = 1\n'.repeat(200)}` });
  }
  const perJob = Math.max(1, Math.floor(notebookCount / jobCount));
  for (let j = 0; j < jobCount; j++) {
    const tasks = Array.from({ length: perJob }, (_, t) => {
      const nb = model.notebooks[`nb_${String((j * perJob + t) % notebookCount).padStart(3, '0')}`]!;
      return {
        task_key: `step_${t}`,
        ...(t > 0 ? { depends_on: [{ task_key: `step_${t - 1}` }] } : {}),
        notebook_task: { notebook_path: nb.path, source: 'WORKSPACE' },
      };
    });
    const settings: JobSettings = { name: `job_${String(j).padStart(2, '0')}`, tasks, max_concurrent_runs: 1 };
    model.resources.jobs[`job_${j}`] = { settings };
  }
  return { name: `generated bundle (${notebookCount} notebooks, ${jobCount} jobs)`, model, files, env: {} };
}

interface Measure {
  requests: number;
  writes: number;
  reads: number;
  ms: number;
  result: DeployResult;
  log: RequestRecord[];
}

async function deployOnce(ws: FakeWorkspace, bundle: Bundle, parallelism: number, cacheDir: string): Promise<Measure> {
  const env = { DATABRICKS_HOST: ws.url, DATABRICKS_TOKEN: TOKEN };
  const client = createWorkspaceClient({ env, configFile: null });
  const creator = createWorkspaceClient({ env, configFile: null, retry: { timeoutMs: 0 } });
  ws.clearRequests();
  const started = performance.now();
  const result = await deployBundle({ model: bundle.model, files: bundle.files, repoRoot: REPO, cacheDir, client, creator, env: bundle.env, parallelism, autoApprove: true });
  const ms = performance.now() - started;
  const log = [...ws.requests];
  const reads = log.filter((r) => r.method === 'GET').length;
  return { requests: log.length, reads, writes: log.length - reads, ms, result, log };
}

async function freshWorkspace(): Promise<FakeWorkspace> {
  return startFakeWorkspace({ tokens: [{ token: TOKEN, kind: 'aad' }], latencyMs: LATENCY, requestLogLimit: 100_000 });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rows: string[][] = [];
const failures: string[] = [];

async function benchmark(bundle: Bundle): Promise<void> {
  const cache = await mkdtemp(join(tmpdir(), 'dbx-ts-bench-deploy-'));
  try {
    const fast = await freshWorkspace();
    const first = await deployOnce(fast, bundle, PARALLELISM, join(cache, 'a'));
    const noop = await deployOnce(fast, bundle, PARALLELISM, join(cache, 'a'));
    await fast.close();
    const slow = await freshWorkspace();
    const baseline = await deployOnce(slow, bundle, 1, join(cache, 'b'));
    await slow.close();

    const resources = first.result.plan.actions.length;
    const speedup = baseline.ms / first.ms;
    const lockOnly = noop.log.filter((r) => r.method !== 'GET').every((r) => String((r.body as { path?: string } | undefined)?.path ?? '').endsWith('/state/deploy.lock'));
    // Overhead reads every deploy makes whatever its size: who am I, the state, the lock check.
    const resourceReads = noop.reads - 3;
    rows.push([bundle.name, String(resources), `${first.requests}`, seconds(first.ms), `${baseline.requests}`, seconds(baseline.ms), `${speedup.toFixed(1)}×`, `${noop.requests} (${noop.writes} writes, ${noop.reads} reads)`, seconds(noop.ms)]);
    if (!noop.result.plan.actions.every((a) => a.action === 'noop')) failures.push(`${bundle.name}: the redeploy was not a no-op`);
    if (!lockOnly || noop.writes !== 2) failures.push(`${bundle.name}: the no-op redeploy wrote more than the lock (${noop.writes} writes)`);
    if (resourceReads > resources) failures.push(`${bundle.name}: ${resourceReads} resource reads for ${resources} resources`);
    if (bundle.name.startsWith('generated') && speedup < 6) failures.push(`${bundle.name}: ${speedup.toFixed(1)}× faster than the baseline, target 6×`);
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}

await benchmark(await referenceBundle());
await benchmark(generatedBundle(Number(args.notebooks), Number(args.jobs)));

const header = ['bundle', 'resources', `requests (p=${PARALLELISM})`, `time (p=${PARALLELISM})`, 'requests (p=1)', 'time (p=1)', 'speed-up', 'no-op redeploy requests', 'no-op time'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(`deploy benchmark: fake workspace with ${LATENCY} ms latency per request`);
console.log(line(header));
for (const row of rows) console.log(line(row));
if (failures.length > 0) {
  for (const f of failures) console.log(`MISSED: ${f}`);
  process.exitCode = 1;
} else {
  console.log('targets met: large bundle ≥ 6× faster than parallelism 1; no-op redeploys write only the lock and read at most once per resource');
}
