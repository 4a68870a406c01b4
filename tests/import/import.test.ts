// dbx-ts import: fixture bundles that use includes, target overrides, variables of every kind, permissions,
// run_as, presets, sync, artifacts and every task type are written as TypeScript that type-checks and, built
// for each target, gives the configuration the YAML gives.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/index.ts';
import { importBundle, type ImportResult } from '../../src/import/index.ts';
import { compareTargets } from '../../src/import/round-trip.ts';
import { REPO_ROOT, tempDir } from '../build/helpers.ts';
import { FIXTURES, importFixture, loadImported, typeErrors } from './helpers.ts';

const imported = new Map<string, Promise<ImportResult>>();
function once(name: string): Promise<ImportResult> {
  if (!imported.has(name)) imported.set(name, importFixture(name));
  return imported.get(name)!;
}

async function source(result: ImportResult, path: string): Promise<string> {
  return readFile(join(result.outDir, path), 'utf8');
}

describe('dbx-ts import', () => {
  it.each(['full', 'legacy/bundle'])('%s: the definition builds the same configuration as the YAML on every target', async (name) => {
    const result = await once(name);
    const loaded = await loadImported(result);
    const comparisons = await compareTargets(join(FIXTURES, name), loaded.bundle, loaded.root, result.targets);
    expect(comparisons.map((c) => c.target)).toEqual(name === 'full' ? ['dev', 'staging', 'prod'] : ['dev', 'test', 'prod']);
    for (const c of comparisons) expect({ target: c.target, errors: c.errors, differences: c.differences }).toEqual({ target: c.target, errors: [], differences: [] });
  });

  it('writes one module per YAML file that declares resources, an app and an entry that imports them', async () => {
    const result = await once('full');
    expect(result.written).toEqual([
      'app.ts',
      'resources/etl.job.ts',
      'resources/overview.dashboard.ts',
      'resources/report.job.ts',
      'resources/silver.pipeline.ts',
      'resources/ml/ml.ts',
      'databricks.ts',
      'bundle.ts',
      'package.json',
      'tsconfig.json',
    ]);
    const entry = await source(result, 'bundle.ts');
    expect(entry).toContain("import './resources/etl.job.ts';");
    expect(entry).toContain('export default app;');
    const pkg = JSON.parse(await source(result, 'package.json')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ type: 'module', 'dbx-ts': { bundle: 'bundle.ts' }, dependencies: { 'dbx-ts': `file:${REPO_ROOT}` } });
  });

  it('turns references into values: task handles, variables, resources in other modules', async () => {
    const result = await once('full');
    const etl = await source(result, 'resources/etl.job.ts');
    expect(etl).toContain("import { silver } from './silver.pipeline.ts';");
    expect(etl).toContain("const etl_ingest = etl.task('ingest', {");
    expect(etl).toContain('depends_on: [etl_ingest],');
    expect(etl).toContain("depends_on: [{ task: etl_check, outcome: 'true' }],");
    expect(etl).toContain('pipeline_task: { pipeline_id: silver.idRef, full_refresh: false }');
    expect(etl).toContain("name: `etl-${app.var('schema')}`");
    expect(etl).toContain("new_cluster: app.var('cluster_spec')");
    // Paths are relative to the bundle root, where the sources stay.
    expect(etl).toContain("notebook_path: 'src/ingest.ipynb'");
    expect(etl).toContain("dependencies: ['-r requirements.txt', 'dist/*.whl', 'pandas==2.2.0']");
    // Target overrides are data, merged as the Databricks CLI merges them.
    expect(etl).toContain("etl.forTarget('staging', {");
    // etl imports report, so report's reference back to etl stays a string (modules cannot import in a cycle).
    const report = await source(result, 'resources/report.job.ts');
    expect(report).toContain("run_job_task: { job_id: '${resources.jobs.etl.id}' }");
    expect(result.notes.map((n) => n.message)).toContain(
      '${resources.jobs.etl.id} in resources/report.job.ts stays a string: resources/etl.job.ts refers back to this module, and modules cannot import each other',
    );
    const ml = await source(result, 'resources/ml/ml.ts');
    expect(ml).toContain('entity_name: churn.idRef');
    expect(ml).toContain("new Schema(app, 'gold', {\n  catalog: analytics,");
    expect(ml).toContain("new Volume(app, 'raw', { schema: landing, name: 'raw' });");
  });

  it('keeps what no construct expresses verbatim, and reports it and every field the CLI would ignore', async () => {
    const result = await once('full');
    const ml = await source(result, 'resources/ml/ml.ts');
    expect(ml).toContain("app.verbatim({\n  resources: { volumes: { external_files: { name: 'files', catalog_name: 'main', schema_name: 'default' } } },\n});");
    const messages = result.notes.map((n) => `${n.severity} ${n.file ?? ''}:${n.line ?? ''} ${n.message}`);
    expect(messages).toContain('warning resources/ml/ml.yml:15 resources.experiments.training.description: unknown field: description');
    expect(messages).toContainEqual(expect.stringMatching(/^warning resources\/ml\/ml\.yml:63 resources\.volumes\.external_files kept verbatim \(app\.verbatim\)/));
    const legacy = await once('legacy/bundle');
    const jobs = await source(legacy, 'resources/jobs.ts');
    expect(jobs).toContain("new Job(app, 'nameless', { name: unchecked(undefined), max_concurrent_runs: 1, timeout_seconds: 3600 });");
    const own = await source(legacy, 'databricks.ts');
    expect(own).toContain("{ targets: ['dev', 'test'] }");
    expect(own).toContain("differs.forTarget('prod', { name: 'prod version',");
    expect(own).toContain('{ replace: true });');
    expect(legacy.written).toContain('_parent/common/shared.ts');
  });

  it('writes TypeScript that type-checks against the dbx-ts API', async () => {
    const results = await Promise.all([once('full'), once('legacy/bundle')]);
    expect(typeErrors(results.map((r) => r.outDir))).toEqual([]);
  });

  it('never overwrites a file it did not write, and rewrites its own', async () => {
    const out = await tempDir('import-clash');
    await writeFile(join(out, 'app.ts'), 'export const mine = 1;\n');
    const error = await importBundle(join(FIXTURES, 'full'), { outDir: out, dependency: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('would overwrite app.ts');
    const again = await importFixture('full');
    const second = await importBundle(join(FIXTURES, 'full'), { outDir: again.outDir, dependency: 'x' });
    expect(second.written).toContain('app.ts');
    expect(second.written).not.toContain('package.json');
  });

  it('names the file and line of YAML it cannot read', async () => {
    const dir = await tempDir('import-bad');
    await writeFile(join(dir, 'databricks.yml'), 'bundle:\n  name: x\nresources:\n  jobs: [\n');
    const error = await importBundle(dir, { outDir: join(dir, 'out'), dependency: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^databricks\.yml:\d+: invalid YAML/);
  });
});
