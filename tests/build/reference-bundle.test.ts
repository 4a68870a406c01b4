// The reference bundle builds into a standard Databricks Asset Bundle: schema-valid YAML, Python that compiles,
// the six-task job, byte-identical rebuilds, and golden files that stay quiet unless behaviour changes.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateBundleConfig } from '../../src/schema/validators.ts';
import { mergeValues } from '../../src/model/merge.ts';
import { mergedConfig } from '../../src/synth/config.ts';
import { readTree, REPO_ROOT, runCli, tempDir } from './helpers.ts';

const GOLDEN = join(REPO_ROOT, 'tests/golden/reference-bundle');

describe('dbx-ts build of the reference bundle', () => {
  let out: string;
  let files: Record<string, string>;

  beforeAll(async () => {
    out = await tempDir('build');
    const result = await runCli(['build', '-t', 'dev', '--out', out]);
    // Warnings (variables left for the deploy to fill) go to stderr; no error does.
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    files = await readTree(out);
  });

  it('writes databricks.yml, one resource file per resource, notebooks, pipeline SQL and the dashboard', () => {
    expect(Object.keys(files)).toEqual([
      '.dbx-ts-manifest.json',
      'databricks.yml',
      'resources/adls_scope.secret_scope.yml',
      'resources/bronze.schema.yml',
      'resources/gold.schema.yml',
      'resources/landing.schema.yml',
      'resources/pl_streaming_data_to_silver.pipeline.yml',
      'resources/raw.volume.yml',
      'resources/sales_dashboard.dashboard.yml',
      'resources/silver.schema.yml',
      'resources/unified-workflow.job.yml',
      'src/dashboards/sales_dashboard.lvdash.json',
      'src/lib/dbx_ts_tables.py',
      'src/notebooks/gpt_summary.py',
      'src/notebooks/ingest_batch.py',
      'src/notebooks/optimize_gold.py',
      'src/notebooks/process_gold.py',
      'src/notebooks/simulate_data.py',
      'src/pipelines/pl_streaming_data_to_silver.sql',
    ]);
  });

  it('every YAML file, and the bundle as a whole, validates against the official schema', () => {
    const docs = Object.entries(files)
      .filter(([p]) => p.endsWith('.yml'))
      .map(([path, text]) => ({ path, doc: parse(text) as Record<string, unknown> }));
    for (const { path, doc } of docs) expect({ path, issues: validateBundleConfig(doc) }).toEqual({ path, issues: [] });
    const copies = structuredClone(docs);
    const merged = mergedConfig(docs);
    expect(validateBundleConfig(merged)).toEqual([]);
    // The in-place merge gives what merging file by file as the CLI does gives, and leaves the files untouched.
    expect(merged).toEqual(docs.reduce<unknown>((root, f) => mergeValues(root, f.doc), {}));
    expect(docs).toEqual(copies);
  });

  it('every generated notebook is a Databricks Python notebook that compiles; the runtime they import is a plain module', () => {
    const notebooks = Object.keys(files).filter((p) => p.startsWith('src/notebooks/') && p.endsWith('.py'));
    expect(notebooks).toHaveLength(5);
    for (const nb of notebooks) {
      expect(files[nb]!.startsWith('# Databricks notebook source\n')).toBe(true);
      execFileSync('python3', ['-m', 'py_compile', join(out, nb)], { stdio: 'pipe' });
    }
    // A workspace file, not a notebook: no notebook header, so Python can import it.
    expect(files['src/lib/dbx_ts_tables.py']!.startsWith('# Databricks notebook source')).toBe(false);
    execFileSync('python3', ['-m', 'py_compile', join(out, 'src/lib/dbx_ts_tables.py')], { stdio: 'pipe' });
    const importers = notebooks.filter((nb) => files[nb]!.includes('import dbx_ts_tables'));
    expect(importers.map((p) => p.split('/').pop())).toEqual(['ingest_batch.py', 'optimize_gold.py', 'process_gold.py']);
  });

  it('the job has exactly the six tasks with the dependencies of the Unified_Workflow_Job', () => {
    const doc = parse(files['resources/unified-workflow.job.yml']!) as {
      resources: { jobs: Record<string, { name: string; tasks: { task_key: string; depends_on?: { task_key: string }[] }[] }> };
    };
    const job = doc.resources.jobs['unified-workflow']!;
    expect(job.name).toBe('Unified_Workflow_Job');
    const deps = Object.fromEntries(job.tasks.map((t) => [t.task_key, (t.depends_on ?? []).map((d) => d.task_key).sort()]));
    expect(deps).toEqual({
      DLT_streaming_data: [],
      task_ingest_batch_data: [],
      batch_and_stream_processing: ['DLT_streaming_data', 'task_ingest_batch_data'],
      optimize_gold_and_create_view: ['batch_and_stream_processing'],
      gpt_summary: ['optimize_gold_and_create_view'],
      update_dashboard: ['gpt_summary'],
    });
    const pipelineTask = job.tasks.find((t) => t.task_key === 'DLT_streaming_data') as unknown as { pipeline_task: { pipeline_id: string } };
    expect(pipelineTask.pipeline_task.pipeline_id).toBe('${resources.pipelines.pl_streaming_data_to_silver.id}');
  });

  it('never puts a secret value or a workspace host into the bundle', () => {
    const all = Object.values(files).join('\n');
    expect(all).not.toMatch(/dapi[0-9a-f]{32}|sk-[A-Za-z0-9]{20,}/);
    expect(all).not.toMatch(/azuredatabricks\.net|cloud\.databricks\.com/);
    expect(files['src/notebooks/gpt_summary.py']).toContain('dbutils.secrets.get(scope="adls_scope", key="open-ai-api-key")');
  });

  it('a second build is byte-identical', async () => {
    const again = await tempDir('build2');
    const result = await runCli(['build', '-t', 'dev', '--out', again]);
    expect(result.code).toBe(0);
    expect(await readTree(again)).toEqual(files);
  });

  it('matches the golden files (UPDATE_GOLDEN=1 to accept a deliberate change)', async () => {
    if (process.env['UPDATE_GOLDEN']) {
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(GOLDEN, path)), { recursive: true });
        await writeFile(join(GOLDEN, path), content);
      }
    }
    expect(files).toEqual(await readTree(GOLDEN));
  });
});

describe('the reference bundle built for dev and prod with BUNDLE_VAR_catalog', () => {
  const CATALOG = 'catalog_from_env';
  const built: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    // One after the other: builds in one project share its check cache.
    for (const target of ['dev', 'prod']) {
      const out = await tempDir(`build-${target}`);
      const result = await runCli(['build', '-t', target, '--out', out], { env: { BUNDLE_VAR_catalog: CATALOG } });
      expect(result.code).toBe(0);
      built[target] = await readTree(out);
    }
  });

  it('declares the schemas and the volume, and every YAML file validates against the official schema', () => {
    for (const files of Object.values(built)) {
      for (const r of ['landing.schema', 'bronze.schema', 'silver.schema', 'gold.schema', 'raw.volume']) expect(files[`resources/${r}.yml`]).toBeDefined();
      const docs = Object.entries(files)
        .filter(([p]) => p.endsWith('.yml'))
        .map(([path, text]) => ({ path, doc: parse(text) as Record<string, unknown> }));
      for (const { path, doc } of docs) expect({ path, issues: validateBundleConfig(doc) }).toEqual({ path, issues: [] });
      expect(validateBundleConfig(mergedConfig(docs))).toEqual([]);
    }
  });

  it('names no catalog or schema literally in any generated file: each target fills them in', () => {
    for (const files of Object.values(built)) {
      for (const [path, text] of Object.entries(files)) {
        expect(text, path).not.toContain(CATALOG);
        // Tables, views, checkpoints and volume paths name their schema by its per-target parameter.
        expect(text, path).not.toMatch(/\$\{catalog\}`?\.`?(landing|bronze|silver|gold)\b|\/Volumes\/[^/]+\/(landing|bronze|silver|gold)\//);
      }
      const dashboard = parse(files['resources/sales_dashboard.dashboard.yml']!) as { resources: { dashboards: Record<string, Record<string, string>> } };
      expect(dashboard.resources.dashboards['sales_dashboard']).toMatchObject({ dataset_catalog: '${var.catalog}', dataset_schema: '${resources.schemas.gold.name}' });
    }
    // The targets differ only where they should: the bundle's own target settings, not the generated code.
    const code = (files: Record<string, string>) => Object.entries(files).filter(([p]) => p.startsWith('src/'));
    expect(code(built['dev']!)).toEqual(code(built['prod']!));
  });
});
