// The real dbx-ts CLI deploying the reference bundle to the fake workspace over real HTTP: creates each
// resource once, changes nothing the second time, keeps a golden request log, and handles the lock, lost
// state, deletions without approval, plan --json, auth whoami and secrets check.
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/deploy/hash.ts';
import { acquireLock } from '../../src/deploy/lock.ts';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { DEFAULT_USER, type RequestRecord } from '../../src/emulator/index.ts';
import { census, describeRequest, fakeWorkspace, writes, AAD_TOKEN, PAT_TOKEN, type FakeSetup } from '../deploy/fake.ts';
import { scratchProject, type CliResult, captureCli } from '../build/helpers.ts';

const CHECKOUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// A project folder of its own, so tests never touch a developer's .dbx-ts/ state in the checkout.
const REPO = await scratchProject();
const GOLDEN = join(CHECKOUT, 'tests', 'golden', 'deploy');
const CACHE = join(REPO, '.dbx-ts', 'state', 'dev.json');
const paths = bundlePaths({ bundle: 'sales_lakehouse', target: 'dev', userName: DEFAULT_USER.userName });
const VARS = {
  BUNDLE_VAR_warehouse_id: 'wh-1234',
  BUNDLE_VAR_keyvault_resource_id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sales-kv',
  BUNDLE_VAR_keyvault_dns_name: 'https://sales-kv.vault.azure.net/',
};

let setup: FakeSetup;

async function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return captureCli(args, { cwd: REPO, env: { ...setup.env, ...VARS, HOME: '/nonexistent', ...extraEnv } });
}

/** Removes the local state cache, but only one that belongs to a fake workspace of this test. */
async function dropLocalCache(): Promise<void> {
  try {
    const cache = JSON.parse(await readFile(CACHE, 'utf8')) as { host?: string };
    if (cache.host?.startsWith('http://127.0.0.1:')) await rm(CACHE, { force: true });
  } catch {
    // no cache
  }
}

beforeEach(async () => {
  setup = await fakeWorkspace();
  await dropLocalCache();
});
afterEach(async () => {
  await setup.ws.close();
});
afterAll(dropLocalCache);

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

const bodyPath = (r: RequestRecord) => (r.body as { path?: string } | undefined)?.path ?? '';
const isStateWrite = (r: RequestRecord) => r.method === 'POST' && bodyPath(r).endsWith('/state/deployment.json');
const isJournalWrite = (r: RequestRecord) => r.method === 'POST' && bodyPath(r).endsWith('/state/deployment.journal.jsonl');
const isLockCall = (r: RequestRecord) => bodyPath(r).endsWith('/state/deploy.lock') || (r.method === 'POST' && r.path === '/api/2.0/workspace/mkdirs' && bodyPath(r).endsWith('/state'));

/**
 * The request log with ids and contents replaced by stable names, for golden files. Journal writes are batched
 * beside the calls and the state write comes once at the end: they are checked apart, not kept here. The calls
 * of the apply phase (uploads and resource calls run in two pools side by side) are kept sorted, since their
 * interleaving varies from run to run; what precedes and follows them keeps its order.
 */
function normalise(requests: RequestRecord[], ws: FakeSetup['ws']): unknown[] {
  const kept = requests.filter((r) => !isStateWrite(r) && !isJournalWrite(r));
  const firstWrite = kept.findIndex((r) => r.method !== 'GET' && !isLockCall(r));
  const lastWrite = kept.map((r) => r.method !== 'GET' && !isLockCall(r)).lastIndexOf(true);
  const text = (r: unknown) => JSON.stringify(r);
  const all = normaliseEach(kept, ws);
  if (firstWrite < 0) return all;
  const applied = all.slice(firstWrite, lastWrite + 1).sort((a, b) => text(a).localeCompare(text(b)));
  return [...all.slice(0, firstWrite), ...applied, ...all.slice(lastWrite + 1)];
}

function normaliseEach(requests: RequestRecord[], ws: FakeSetup['ws']): unknown[] {
  const names = new Map<string, string>();
  Object.keys(ws.state.jobs).forEach((id, i) => names.set(id, `<job-${i + 1}>`));
  Object.keys(ws.state.pipelines).forEach((id, i) => names.set(id, `<pipeline-${i + 1}>`));
  Object.keys(ws.state.dashboards).forEach((id, i) => names.set(id, `<dashboard-${i + 1}>`));
  const replaceIds = (text: string) => [...names].reduce((t, [id, name]) => t.split(id).join(name), text);
  return requests.map((r) => {
    const body = r.body as Record<string, unknown> | undefined;
    const cleaned = body && typeof body === 'object' && 'content' in body ? { ...body, content: '<content>' } : body;
    const text = JSON.stringify({ method: r.method, path: r.path, query: r.query, body: cleaned, status: r.status }, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    // Keys sorted: the golden file changes when what is sent changes, not the order fields were written in.
    return JSON.parse(canonicalJson(JSON.parse(replaceIds(text)))) as unknown;
  });
}

async function golden(name: string, actual: unknown): Promise<void> {
  const file = join(GOLDEN, name);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env['UPDATE_GOLDEN']) {
    await mkdir(GOLDEN, { recursive: true });
    await writeFile(file, text);
  }
  expect(text).toBe(await readFile(file, 'utf8'));
}

describe('dbx-ts deploy against the fake workspace', () => {
  it('creates the reference bundle once, and a second deploy writes nothing but the lock (golden request logs)', async () => {
    const first = await cli(['deploy', '-t', 'dev', '--auto-approve', '--parallelism', '1']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('16 to create');
    expect(census(setup.ws, paths.files)).toEqual(EXPECTED);
    const job = Object.values(setup.ws.state.jobs)[0]!;
    const tasks = job.settings['tasks'] as { task_key: string }[];
    expect(tasks.map((t) => t.task_key).sort()).toEqual([
      'DLT_streaming_data',
      'batch_and_stream_processing',
      'gpt_summary',
      'optimize_gold_and_create_view',
      'task_ingest_batch_data',
      'update_dashboard',
    ]);
    expect(setup.ws.state.secretScopes['adls_scope']).toMatchObject({ backend_type: 'AZURE_KEYVAULT', keyvault_metadata: { dns_name: VARS.BUNDLE_VAR_keyvault_dns_name } });
    expect(Object.values(setup.ws.state.dashboards)[0]!.published).toBeDefined();
    await golden('first-deploy.requests.json', normalise(setup.ws.requests, setup.ws));
    // The state is written once, at the end; the journal before each create of an object whose id is its name
    // (the scope, four schemas and the volume: a deploy that dies right after such a create must recognise it
    // from any machine), batched with whatever else changed by then, plus at most one every 2 seconds.
    expect(setup.ws.requests.filter(isStateWrite)).toHaveLength(1);
    const journalWrites = setup.ws.requests.filter(isJournalWrite).length;
    expect(journalWrites).toBeGreaterThanOrEqual(1);
    expect(journalWrites).toBeLessThan(16);
    const saved = setup.ws.state.objects[`${paths.state.replace('/Workspace', '')}/deployment.json`]!;
    const state = JSON.parse((await setup.ws.readContent(saved.blob!)).toString()) as { resources: Record<string, { id: string }> };
    expect(Object.keys(state.resources).sort()).toEqual([
      'dashboards.sales_dashboard',
      ...EXPECTED.files.map((f) => `files.${f.startsWith('src/notebooks/') ? `${f}.py` : f}`),
      'jobs.unified-workflow',
      'pipelines.pl_streaming_data_to_silver',
      'schemas.bronze',
      'schemas.gold',
      'schemas.landing',
      'schemas.silver',
      'secret_scopes.adls_scope',
      'volumes.raw',
    ].sort());
    expect(state.resources['jobs.unified-workflow']?.id).toBe(Object.keys(setup.ws.state.jobs)[0]);

    setup.ws.clearRequests();
    const second = await cli(['deploy', '-t', 'dev', '--auto-approve', '--parallelism', '1']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('no changes');
    expect(writes(setup.ws.requests).map(describeRequest)).toEqual([
      `POST /api/2.0/workspace/import ${paths.state}/deploy.lock`,
      `POST /api/2.0/workspace/delete ${paths.state}/deploy.lock`,
    ]);
    await golden('noop-deploy.requests.json', normalise(setup.ws.requests, setup.ws));
    expect(census(setup.ws, paths.files)).toEqual(EXPECTED);
  });

  it('fails at once with the holder while another deploy runs, and --force-lock takes over', async () => {
    await setup.client.workspace.mkdirs({ path: paths.state });
    await acquireLock({ client: setup.client, paths, user: 'ci-bot@example.com' });
    const blocked = await cli(['deploy', '-t', 'dev', '--auto-approve']);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/held by ci-bot@example\.com on \S+ \(pid \d+\) since \d{4}-/);
    expect(blocked.stderr).toContain('--force-lock');
    expect(census(setup.ws, paths.files).jobs).toEqual([]);
    const forced = await cli(['deploy', '-t', 'dev', '--auto-approve', '--force-lock']);
    expect(forced.code).toBe(0);
    expect(census(setup.ws, paths.files)).toEqual(EXPECTED);
  });

  it('after a lost state adopts only what carries its identity; the rest needs dbx-ts bind, and then it converges', async () => {
    expect((await cli(['deploy', '-t', 'dev', '--auto-approve'])).code).toBe(0);
    await setup.client.workspace.delete({ path: `${paths.state}/deployment.json` });
    await dropLocalCache();
    const stopped = await cli(['deploy', '-t', 'dev', '--auto-approve']);
    expect(stopped.code).toBe(2);
    // Jobs, pipelines, dashboards and files are recognised; the scope, schemas and volume have only their names.
    expect(stopped.stdout).toMatch(/adopt\s+pipelines\.pl_streaming_data_to_silver — not in the deploy state, but this bundle's on target dev \(recognised by its tags/);
    expect(stopped.stderr).toContain('Deploy stopped before any change: 6 resource(s)');
    const binds = stopped.stderr.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('dbx-ts bind '));
    expect(binds).toEqual([
      'dbx-ts bind bronze sales_lakehouse.dev_emulator_user_bronze -t dev',
      'dbx-ts bind gold sales_lakehouse.dev_emulator_user_gold -t dev',
      'dbx-ts bind landing sales_lakehouse.dev_emulator_user_landing -t dev',
      'dbx-ts bind silver sales_lakehouse.dev_emulator_user_silver -t dev',
      'dbx-ts bind raw sales_lakehouse.dev_emulator_user_landing.raw -t dev',
      'dbx-ts bind adls_scope adls_scope -t dev',
    ]);
    for (const bind of binds) {
      const [, , key, id] = bind.split(' ');
      const bound = await cli(['bind', key!, id!, '-t', 'dev']);
      expect(bound.stderr).toBe('');
      expect(bound.stdout).toContain(`Bound `);
    }
    const again = await cli(['deploy', '-t', 'dev', '--auto-approve']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 to create');
    expect(again.stdout).toMatch(/bind\s+schemas\.bronze — bound with dbx-ts bind/);
    expect(census(setup.ws, paths.files)).toEqual(EXPECTED);
    expect((await cli(['plan', '-t', 'dev'])).stdout).toContain('no changes');
  });

  it('exits 2 when a deletion needs approval and nobody can give it', async () => {
    expect((await cli(['deploy', '-t', 'dev', '--auto-approve'])).code).toBe(0);
    // A job the last deploy recorded but the bundle no longer defines.
    const { job_id } = await setup.client.jobs.create({ name: 'old job', tasks: [] });
    const statePath = `${paths.state}/deployment.json`;
    const exported = await setup.client.workspace.export({ path: statePath, format: 'AUTO' });
    const state = JSON.parse(Buffer.from(exported.content!, 'base64').toString('utf8')) as { resources: Record<string, unknown>; serial: number };
    state.resources['jobs.old'] = { id: String(job_id), hash: 'x' };
    state.serial += 100;
    await setup.client.workspace.import({ path: statePath, content: Buffer.from(JSON.stringify(state)), format: 'RAW', overwrite: true });

    const refused = await cli(['deploy', '-t', 'dev']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('delete jobs.old');
    expect(refused.stderr).toContain('--auto-approve');
    expect(Object.keys(setup.ws.state.jobs)).toHaveLength(2);

    const approved = await cli(['deploy', '-t', 'dev', '--auto-approve']);
    expect(approved.code).toBe(0);
    expect(census(setup.ws, paths.files).jobs).toEqual(EXPECTED.jobs);
  });

  it('plan --json prints the plan as NDJSON and writes nothing', async () => {
    const result = await cli(['plan', '-t', 'dev', '--json']);
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { code: string; data: { actions?: { address: string; action: string }[] } });
    const plan = events.find((e) => e.code === 'deploy.plan');
    expect(plan?.data.actions?.map((a) => a.action)).toEqual(Array(16).fill('create'));
    expect(writes(setup.ws.requests)).toEqual([]);
  });

  it('an Azure Key Vault-backed scope with a personal access token fails before any write, naming the fix', async () => {
    setup.ws.clearRequests();
    const result = await cli(['deploy', '-t', 'dev', '--auto-approve'], { DATABRICKS_TOKEN: PAT_TOKEN });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nothing was written (not even the deploy lock)');
    expect(result.stderr).toContain('the Azure Key Vault-backed scope "adls_scope" must be created, which needs a Microsoft Entra ID token; this deploy authenticates with pat');
    expect(result.stderr).toContain('ARM_CLIENT_ID, ARM_CLIENT_SECRET and ARM_TENANT_ID');
    expect(writes(setup.ws.requests)).toEqual([]);
    expect(result.stderr).not.toContain(PAT_TOKEN);
  });

  it('takes its limits of calls in flight from flags or the environment, and names a bad one before any write', async () => {
    const flag = await cli(['deploy', '-t', 'dev', '--auto-approve', '--upload-parallelism', '0']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--upload-parallelism 0: expected a whole number from 1 to 128');
    const fromEnv = await cli(['deploy', '-t', 'dev', '--auto-approve'], { DBX_TS_PARALLELISM: 'many' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('DBX_TS_PARALLELISM many: expected a whole number from 1 to 64');
    expect(setup.ws.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    // The flag wins over the environment.
    const ok = await cli(['deploy', '-t', 'dev', '--auto-approve', '--parallelism', '2', '--upload-parallelism', '3'], { DBX_TS_PARALLELISM: 'many' });
    expect(ok.code).toBe(0);
    expect(census(setup.ws, paths.files)).toEqual(EXPECTED);
  });

  it('names the missing variable and how to set it, before connecting', async () => {
    const { code, stdout, stderr } = await captureCli(['plan', '-t', 'dev'], {
      cwd: REPO,
      env: { ...setup.env, BUNDLE_VAR_keyvault_resource_id: 'x', BUNDLE_VAR_keyvault_dns_name: 'https://x.vault.azure.net/', HOME: '/nonexistent' },
    });
    const output = stdout + stderr;
    expect(code).toBe(2);
    expect(output).toContain('Variable "warehouse_id" has no value on target dev');
    expect(output).toContain('BUNDLE_VAR_warehouse_id');
    expect(output).toContain('bundles/sales-lakehouse/index.ts:');
  });

  it('auth whoami says how and as whom, never the token', async () => {
    const result = await cli(['auth', 'whoami']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('authenticated as emulator-user@example.com');
    expect(result.stdout).toContain('with pat');
    expect(result.stdout + result.stderr).not.toContain(AAD_TOKEN);
  });

  it('secrets check reports missing secrets (exit 2) and passes once they exist', async () => {
    expect((await cli(['deploy', '-t', 'dev', '--auto-approve'])).code).toBe(0);
    const missing = await cli(['secrets', 'check', '-t', 'dev']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing adls_scope/open-ai-api-key');
    // Key Vault-backed: the secrets live in the vault; the fake workspace stands for it.
    const scope = setup.ws.state.secretScopes['adls_scope']!;
    for (const key of ['open-ai-api-key', 'adls-client-secret']) scope.secrets[key] = { value: Buffer.from('s3cret').toString('base64'), last_updated_timestamp: 1 };
    const ok = await cli(['secrets', 'check', '-t', 'dev']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('All 2 secret(s)');
    expect(ok.stdout).not.toContain('s3cret');
  });
});
