// `dbx-ts generate job|pipeline|dashboard` against a fake workspace: objects made in the workspace become modules
// of the definition, their notebooks come down beside them, the entry file declares them, the project builds,
// validates and type-checks, and --bind makes the next deploy update the object instead of copying it.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commonFolder } from '../../src/generate/download.ts';
import { keyFromName } from '../../src/generate/index.ts';
import { wireEntry } from '../../src/generate/wire.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT, runCli, tempDir } from '../build/helpers.ts';
import { fakeWorkspace, type FakeSetup } from '../deploy/fake.ts';
import { typeErrors } from '../import/helpers.ts';

const ENTRY = `// The bundle of a team that made its first job in the workspace UI.
import { Bundle } from 'dbx-ts';

const app = new Bundle({ name: 'adopted', targets: { prod: { default: true, mode: 'production', workspace: { root_path: '/Workspace/Shared/.bundle/adopted' } } } });

export default app;
`;

const INGEST = '# Databricks notebook source\nprint("ingest")\n';
const CLEAN = '# Databricks notebook source\nprint("clean")\n';

let setup: FakeSetup;
let jobId: string;
let pipelineId: string;
let dashboardId: string;

let projects = 0;

/** A project of its own bundle (its own deploy state in the workspace). */
async function project(): Promise<string> {
  const dir = await tempDir('generate');
  const name = `adopted${++projects}`;
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', 'dbx-ts': { bundle: 'bundle.ts' } }));
  await writeFile(join(dir, 'bundle.ts'), ENTRY.replaceAll('adopted', name));
  return dir;
}

const cli = (dir: string, args: string[]) => runCli(args, { cwd: dir, env: { ...setup.env, HOME: '/nonexistent' } });

/**
 * A later command in its own process, as a user runs it: this test process keeps the entry file it loaded
 * before generate added its two lines (ES modules load once per process).
 */
async function later(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'bin', 'dbx-ts.mjs'), ...args], { cwd: dir, env: { ...process.env, ...setup.env, CI: 'true', HOME: '/nonexistent' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  setup = await fakeWorkspace();
  const ws = setup.client.workspace;
  await ws.mkdirs({ path: '/Users/ana@example.com/etl/steps' });
  await ws.import({ path: '/Users/ana@example.com/etl/ingest', format: 'SOURCE', language: 'PYTHON', content: new TextEncoder().encode(INGEST), overwrite: true });
  await ws.import({ path: '/Users/ana@example.com/etl/steps/clean', format: 'SOURCE', language: 'PYTHON', content: new TextEncoder().encode(CLEAN), overwrite: true });
  const job = await setup.client.jobs.create({
    name: 'Nightly ETL (v2)',
    format: 'MULTI_TASK',
    tags: { team: 'sales' },
    parameters: [{ name: 'day', default: '' }],
    tasks: [
      { task_key: 'ingest', notebook_task: { notebook_path: '/Users/ana@example.com/etl/ingest', source: 'WORKSPACE' }, existing_cluster_id: '0101-abc' },
      { task_key: 'clean', depends_on: [{ task_key: 'ingest' }], notebook_task: { notebook_path: '/Users/ana@example.com/etl/steps/clean' }, existing_cluster_id: '0101-abc', max_retries: 2 },
    ],
  } as never);
  jobId = String(job.job_id);
  const pipeline = await setup.client.pipelines.create({ name: 'Orders pipeline', catalog: 'shop_cat', schema: 'silver', serverless: true, libraries: [{ notebook: { path: '/Users/ana@example.com/etl/ingest' } }], configuration: { 'source.path': '/Volumes/x' } } as never);
  pipelineId = String(pipeline.pipeline_id);
  const dashboard = await setup.client.lakeview.create({ display_name: 'Sales overview', warehouse_id: 'wh-1234', parent_path: '/Users/ana@example.com', serialized_dashboard: JSON.stringify({ pages: [{ name: 'p1', displayName: 'Overview' }] }) } as never);
  dashboardId = String(dashboard.dashboard_id);
});

afterAll(async () => {
  await setup.ws.close();
});

describe('dbx-ts generate', () => {
  it('writes a job as a module, downloads its notebooks, declares it in the entry, and the project builds it', async () => {
    const dir = await project();
    const result = await cli(dir, ['generate', 'job', '--existing-job-id', jobId]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Generated jobs.nightly_etl_v2 from job ${jobId}: src/ingest.py, src/steps/clean.py, resources/nightly_etl_v2.job.ts`);
    expect(await readFile(join(dir, 'src', 'ingest.py'), 'utf8')).toBe(INGEST);
    expect(await readFile(join(dir, 'src', 'steps', 'clean.py'), 'utf8')).toBe(CLEAN);
    const entry = await readFile(join(dir, 'bundle.ts'), 'utf8');
    expect(entry).toContain("import { addNightlyEtlV2 } from './resources/nightly_etl_v2.job.ts';\n\nconst app");
    expect(entry).toContain('addNightlyEtlV2(app);\nexport default app;');

    const build = await later(dir, ['build', '--out', 'out']);
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    const resources = parse(await readFile(join(dir, 'out', 'resources', 'nightly_etl_v2.job.yml'), 'utf8')) as { resources: { jobs: Record<string, Record<string, unknown>> } };
    const job = resources.resources.jobs['nightly_etl_v2']!;
    expect(job['name']).toBe('Nightly ETL (v2)');
    expect(job['tags']).toEqual({ team: 'sales' });
    expect(job['parameters']).toEqual([{ name: 'day', default: '' }]);
    expect(job).not.toHaveProperty('format');
    const tasks = job['tasks'] as Record<string, unknown>[];
    expect(tasks.map((t) => [t['task_key'], (t['notebook_task'] as { notebook_path: string }).notebook_path, t['depends_on']])).toEqual([
      ['ingest', '../src/ingest.py', undefined],
      ['clean', '../src/steps/clean.py', [{ task_key: 'ingest' }]],
    ]);
    expect(tasks[1]!['max_retries']).toBe(2);
    expect(existsSync(join(dir, 'out', 'src', 'steps', 'clean.py'))).toBe(true);
  });

  it('generates a pipeline and a dashboard; all three modules type-check', async () => {
    const dir = await project();
    expect((await cli(dir, ['generate', 'job', '--existing-id', jobId, '--key', 'etl'])).code).toBe(0);
    const pipeline = await cli(dir, ['generate', 'pipeline', '--existing-pipeline-id', pipelineId, '--bind']);
    expect(pipeline.stderr).toBe('');
    expect(pipeline.stdout).toContain(`Generated pipelines.orders_pipeline from pipeline ${pipelineId}: src/ingest.py, resources/orders_pipeline.pipeline.ts`);
    const dashboard = await cli(dir, ['generate', 'dashboard', '--existing-id', dashboardId]);
    expect(dashboard.stderr).toBe('');
    expect(JSON.parse(await readFile(join(dir, 'src', 'sales_overview.lvdash.json'), 'utf8'))).toEqual({ pages: [{ name: 'p1', displayName: 'Overview' }] });

    const validate = await later(dir, ['validate']);
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
    expect((await later(dir, ['build', '--out', 'out'])).code).toBe(0);
    const pipelineYaml = parse(await readFile(join(dir, 'out', 'resources', 'orders_pipeline.pipeline.yml'), 'utf8')) as { resources: { pipelines: Record<string, Record<string, unknown>> } };
    const spec = pipelineYaml.resources.pipelines['orders_pipeline']!;
    expect(spec['libraries']).toEqual([{ notebook: { path: '../src/ingest.py' } }]);
    expect(spec['configuration']).toEqual({ 'source.path': '/Volumes/x' });
    expect(spec).not.toHaveProperty('id');
    const dashboardYaml = parse(await readFile(join(dir, 'out', 'resources', 'sales_overview.dashboard.yml'), 'utf8')) as { resources: { dashboards: Record<string, Record<string, unknown>> } };
    expect(dashboardYaml.resources.dashboards['sales_overview']).toMatchObject({ display_name: 'Sales overview', warehouse_id: 'wh-1234' });
    expect(typeErrors([dir])).toEqual([]);
    // The bound pipeline is updated in place (its name is held, and nothing is taken over by name alone); a
    // dashboard kept in its own .lvdash.json deploys with its file's content.
    const pipelines = Object.keys(setup.ws.state.pipelines).length;
    const before = Object.keys(setup.ws.state.dashboards).length;
    const deploy = await later(dir, ['deploy', '--auto-approve']);
    // A production target whose jobs run as the deploying person is warned about, as the Databricks CLI does.
    expect(deploy.stderr).toContain('would run as emulator-user@example.com, a person, on production target prod');
    expect(deploy.code).toBe(0);
    expect(Object.keys(setup.ws.state.pipelines).length).toBe(pipelines);
    expect((setup.ws.state.pipelines[pipelineId]!.spec['libraries'] as unknown[])).toEqual([{ notebook: { path: `/Workspace/Shared/.bundle/adopted${projects}/files/src/ingest` } }]);
    const created = Object.values(setup.ws.state.dashboards).slice(before);
    expect(created.map((d) => [d.display_name, JSON.parse(d.serialized_dashboard ?? '{}')])).toEqual([['Sales overview', { pages: [{ name: 'p1', displayName: 'Overview' }] }]]);
  });

  it('--bind: the next deploy updates the job it came from instead of creating a copy', async () => {
    const dir = await project();
    const jobsBefore = Object.keys(setup.ws.state.jobs).length;
    const result = await cli(dir, ['generate', 'job', '--existing-id', jobId, '--key', 'etl', '--bind']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const plan = await later(dir, ['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).not.toMatch(/create\s+jobs\.etl/);
    expect((await later(dir, ['deploy', '--auto-approve'])).code).toBe(0);
    expect(Object.keys(setup.ws.state.jobs).length).toBe(jobsBefore);
    const tasks = setup.ws.state.jobs[jobId]!.settings['tasks'] as { notebook_task: { notebook_path: string } }[];
    expect(tasks[0]!.notebook_task.notebook_path).toBe(`/Workspace/Shared/.bundle/adopted${projects}/files/src/ingest`);
    // The downloaded notebooks were uploaded with the bundle, as notebooks.
    expect(setup.ws.state.objects[`/Shared/.bundle/adopted${projects}/files/src/steps/clean`]).toMatchObject({ object_type: 'NOTEBOOK', language: 'PYTHON' });
  });

  it('refuses to overwrite without --force; with --force it refreshes the module and leaves the entry as it is', async () => {
    const dir = await project();
    expect((await cli(dir, ['generate', 'job', '--existing-id', jobId, '--key', 'etl'])).code).toBe(0);
    const again = await cli(dir, ['generate', 'job', '--existing-id', jobId, '--key', 'etl']);
    expect(again.code).toBe(2);
    // The notebooks have not changed in the workspace: only the module would be replaced.
    expect(again.stderr).toContain('dbx-ts generate would overwrite resources/etl.job.ts.');
    expect(again.stderr).toContain('--force');
    const entry = await readFile(join(dir, 'bundle.ts'), 'utf8');
    const forced = await cli(dir, ['generate', 'job', '--existing-id', jobId, '--key', 'etl', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('Already declared in');
    expect(await readFile(join(dir, 'bundle.ts'), 'utf8')).toBe(entry);
  });

  it('names an id the workspace does not have, and a missing id, with exit 2', async () => {
    const dir = await project();
    const missing = await cli(dir, ['generate', 'job', '--existing-id', '987654321']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no job with id 987654321');
    const none = await cli(dir, ['generate', 'pipeline']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('dbx-ts generate pipeline needs --existing-id <id>');
    expect(await readFile(join(dir, 'bundle.ts'), 'utf8')).toBe(ENTRY.replaceAll('adopted', `adopted${projects}`));
  });
});

describe('generate helpers', () => {
  it('keys from names as the Databricks CLI normalises them', () => {
    expect(keyFromName('Nightly ETL (v2)')).toBe('nightly_etl_v2');
    expect(keyFromName('  Ventes Été -- 2025 ')).toBe('ventes_été_2025');
  });

  it('places downloads below the common folder of their workspace paths', () => {
    expect(commonFolder(['/a/b/c', '/a/b/d/e'])).toBe('/a/b');
    expect(commonFolder(['/a/bc', '/a/bd'])).toBe('/a');
    expect(commonFolder(['/a/b/c'])).toBe('/a/b');
  });

  it('leaves an entry it cannot read alone, saying why', () => {
    const wiring = wireEntry("import { Bundle } from 'dbx-ts';\nexport default new Bundle({ name: 'x', targets: {} });\n", '/p/bundle.ts', '/p/resources/x.job.ts', 'addX');
    expect(wiring).toEqual({ status: 'manual', reason: 'the entry file does not end with `export default <bundle>;`' });
  });
});
