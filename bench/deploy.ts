// Benchmark of deploy (`npm run bench:deploy`): dbx-ts against the request schedule of the Databricks CLI's
// direct engine (bench/deploy-cli-model.ts: 20 uploads and 10 resource calls in flight, state written once),
// each side in its own process with its own fake workspace answering every request after --latency ms.
// Each side deploys a generated bundle (200 notebooks, 50 jobs) three times: first deploy, redeploy with 10%
// of the notebooks changed, redeploy with nothing changed. Pairs alternate which side runs first (harness.ts).
// Targets (issue 15): first deploy and 10% redeploy ≤ 0.7× the modelled CLI's time (paired median); requests
// ≤ the modelled CLI's; the no-op redeploy uploads nothing. Exits 1 when one is missed.
//
//   npx tsx bench/deploy.ts [--latency 50] [--notebooks 200] [--jobs 50] [--reps 3]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../src/cli/load-bundle.ts';
import { deployBundle } from '../src/deploy/deploy.ts';
import { desiredResources } from '../src/deploy/desired.ts';
import { resolveVariables } from '../src/deploy/interpolate.ts';
import { bundlePaths, shortUserName } from '../src/deploy/presets.ts';
import { startFakeWorkspace, type FakeWorkspace } from '../src/emulator/index.ts';
import { resolve } from '../src/model/resolve.ts';
import type { BundleModel, JobSettings } from '../src/model/types.ts';
import { synthBundle, type SynthFile } from '../src/synth/index.ts';
import { createWorkspaceClient, type WorkspaceClient } from '../src/workspace/index.ts';
import { emptyCliMemory, modelledCliDeploy } from './deploy-cli-model.ts';
import { childSide, comparePaired, defaultReps, formatComparison, pairedRatios, serveSide, sideRequest, sideSpread, Targets, type Comparison, type MetricColumn } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    latency: { type: 'string', default: '50' },
    notebooks: { type: 'string', default: '200' },
    jobs: { type: 'string', default: '50' },
    reps: { type: 'string', default: String(defaultReps()) },
    reference: { type: 'boolean', default: true },
  },
});
const REPO = join(import.meta.dirname, '..');
const TOKEN = 'bench-entra-token';

interface Bundle {
  model: BundleModel;
  files: SynthFile[];
  env: Record<string, string>;
}

interface SideRequest {
  side: 'dbx-ts' | 'cli';
  bundle: 'generated' | 'reference';
  notebooks: number;
  jobs: number;
  latency: number;
}

async function referenceBundle(): Promise<Bundle> {
  const { model } = resolve((await loadBundle(REPO)).bundle, 'dev');
  return {
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
  return { model, files, env: {} };
}

/** The bundle with every tenth notebook edited. */
function withChangedNotebooks(bundle: Bundle): Bundle {
  const notebooks = new Set(Object.values(bundle.model.notebooks).map((n) => n.path));
  let seen = 0;
  const files = bundle.files.map((f) => (notebooks.has(f.path) && seen++ % 10 === 0 ? { ...f, content: `${f.content}# edited\n` } : f));
  return { ...bundle, files };
}

interface Deployer {
  deploy(bundle: Bundle): Promise<void>;
}

function dbxTsDeployer(ws: FakeWorkspace, client: WorkspaceClient, creator: WorkspaceClient, cacheDir: string): Deployer {
  return {
    async deploy(bundle) {
      await deployBundle({ model: bundle.model, files: bundle.files, repoRoot: REPO, cacheDir, client, creator, env: bundle.env, autoApprove: true });
    },
  };
}

function cliDeployer(client: WorkspaceClient): Deployer {
  const memory = emptyCliMemory();
  return {
    async deploy(bundle) {
      const me = await client.scim.me();
      const user = { userName: me.userName, shortName: shortUserName(me.userName) };
      const paths = bundlePaths({ bundle: bundle.model.bundle.name, target: bundle.model.target.name, userName: user.userName });
      const variables = resolveVariables(bundle.model, { env: bundle.env });
      await modelledCliDeploy(client, paths, desiredResources({ model: bundle.model, files: bundle.files, variables, user, paths }), memory);
    },
  };
}

const isUpload = (r: { method: string; path: string; body?: unknown; query: Record<string, unknown> }) => {
  const target = r.path.startsWith('/api/2.0/workspace-files/import-file/') ? r.path : String((r.body as { path?: unknown } | undefined)?.path ?? '');
  const upload = r.path === '/api/2.0/workspace/import' || r.path.startsWith('/api/2.0/workspace-files/import-file/');
  return upload && !/\/state\//.test(target);
};

/** In the child: three deploys of one bundle by one side, each timed and its requests counted. */
async function runSide(request: SideRequest): Promise<Record<string, number>> {
  // Bodies are logged (for both sides) so uploads are told from state and lock writes by their path. The
  // reference bundle needs its SQL warehouse and catalog to exist (deploy checks them before anything else).
  const ws = await startFakeWorkspace({
    tokens: [{ token: TOKEN, kind: 'aad' }],
    latencyMs: request.latency,
    requestLogLimit: 100_000,
    logBodies: true,
    unityCatalog: { catalogs: ['sales_lakehouse', 'main'] },
    warehouses: [{ id: 'wh', name: 'Warehouse wh' }],
  });
  const cache = await mkdtemp(join(tmpdir(), 'dbx-ts-bench-deploy-'));
  try {
    const env = { DATABRICKS_HOST: ws.url, DATABRICKS_TOKEN: TOKEN };
    const client = createWorkspaceClient({ env, configFile: null });
    const creator = createWorkspaceClient({ env, configFile: null, retry: { timeoutMs: 0 } });
    const deployer = request.side === 'dbx-ts' ? dbxTsDeployer(ws, client, creator, cache) : cliDeployer(client);
    const bundle = request.bundle === 'generated' ? generatedBundle(request.notebooks, request.jobs) : await referenceBundle();
    const metrics: Record<string, number> = {};
    const phases: [string, Bundle][] = [
      ['first', bundle],
      ['change', withChangedNotebooks(bundle)],
      ['noop', withChangedNotebooks(bundle)],
    ];
    for (const [phase, b] of phases) {
      ws.clearRequests();
      const started = performance.now();
      await deployer.deploy(b);
      metrics[`${phase}_ms`] = performance.now() - started;
      metrics[`${phase}_requests`] = ws.requests.length;
      metrics[`${phase}_uploads`] = ws.requests.filter(isUpload).length;
    }
    return metrics;
  } finally {
    await ws.close();
    await rm(cache, { recursive: true, force: true });
  }
}

const ms = (n: number) => `${Math.round(n)} ms`;
const count = (n: number) => String(Math.round(n));
const METRICS: MetricColumn[] = [
  { key: 'first_ms', label: 'first deploy', format: ms, ratio: true },
  { key: 'first_requests', label: 'first requests', format: count, ratio: true },
  { key: 'change_ms', label: '10% redeploy', format: ms, ratio: true },
  { key: 'change_requests', label: '10% requests', format: count, ratio: true },
  { key: 'noop_ms', label: 'no-op redeploy', format: ms, ratio: true },
  { key: 'noop_requests', label: 'no-op requests', format: count },
  { key: 'noop_uploads', label: 'no-op uploads', format: count },
];

async function compare(bundle: SideRequest['bundle']): Promise<Comparison> {
  const script = fileURLToPath(import.meta.url);
  const base = { bundle, notebooks: Number(args.notebooks), jobs: Number(args.jobs), latency: Number(args.latency) };
  const name = bundle === 'generated' ? `generated bundle (${args.notebooks} notebooks, ${args.jobs} jobs)` : 'reference bundle (sales lakehouse)';
  return comparePaired({
    title: `deploy of the ${name}, fake workspace with ${args.latency} ms latency`,
    measured: childSide('dbx-ts', script, { ...base, side: 'dbx-ts' } satisfies SideRequest),
    baseline: childSide('modelled CLI', script, { ...base, side: 'cli' } satisfies SideRequest),
    reps: Number(args.reps),
  });
}

async function main(): Promise<void> {
  const targets = new Targets();
  const generated = await compare('generated');
  console.log(formatComparison(generated, METRICS));
  const ratio = (key: string) => pairedRatios(generated, (s) => s.metrics[key]!).median;
  console.log(targets.check('first deploy time / modelled CLI (paired median)', ratio('first_ms'), 0.7));
  console.log(targets.check('10% redeploy time / modelled CLI (paired median)', ratio('change_ms'), 0.7));
  console.log(targets.check('first deploy requests / modelled CLI', ratio('first_requests'), 1));
  console.log(targets.check('10% redeploy requests / modelled CLI', ratio('change_requests'), 1));
  console.log(targets.check('no-op redeploy uploads', sideSpread(generated, 'measured', (s) => s.metrics['noop_uploads']!).max, 0, count));
  if (args.reference) {
    console.log('');
    const reference = await compare('reference');
    console.log(formatComparison(reference, METRICS));
    console.log(targets.check('reference bundle: no-op redeploy uploads', sideSpread(reference, 'measured', (s) => s.metrics['noop_uploads']!).max, 0, count));
  }
  targets.finish();
}

const request = sideRequest<SideRequest>();
if (request) await serveSide(() => runSide(request));
else await main();
