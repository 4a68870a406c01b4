// Shared test helpers: a small bundle model built by hand, and file contents standing in for synth.
import type { BundleModel } from '../../src/model/types.ts';
import type { SynthFile } from '../../src/synth/index.ts';

/** A model with one of each resource kind, shaped as resolve() produces it. */
export function sampleModel(overrides: { mode?: 'development' | 'production'; rootPath?: string } = {}): BundleModel {
  const target = {
    name: 'dev',
    local: false,
    mode: overrides.mode ?? ('development' as const),
    workspace: overrides.rootPath ? { root_path: overrides.rootPath } : {},
    variables: { warehouse_id: 'wh-target' },
  };
  return {
    bundle: { name: 'shop' },
    catalog: 'shop_cat',
    target,
    targets: { dev: target },
    variables: {
      catalog: { default: 'shop_cat' },
      warehouse_id: { description: 'SQL warehouse' },
      kv_id: { description: 'Key Vault resource id' },
    },
    resources: {
      secret_scopes: {
        kv: { settings: { name: 'kv_scope', backend_type: 'AZURE_KEYVAULT', keyvault_metadata: { resource_id: '${var.kv_id}', dns_name: 'https://kv.vault.azure.net/' } }, keys: ['api-key'] },
      },
      pipelines: {
        pl: { settings: { name: 'pl_silver', catalog: '${var.catalog}', schema: 'silver', serverless: true }, tables: [], source_path: 'src/pipelines/pl.sql' },
      },
      dashboards: {
        dash: { settings: { display_name: 'Sales', warehouse_id: '${var.warehouse_id}' }, datasets: [], widgets: [], file_path: 'src/dashboards/dash.lvdash.json' },
      },
      jobs: {
        wf: {
          settings: {
            name: 'Workflow',
            schedule: { quartz_cron_expression: '0 0 * * * ?', timezone_id: 'UTC', pause_status: 'UNPAUSED' },
            tags: { team: 'data' },
            tasks: [
              { task_key: 'ingest', notebook_task: { notebook_path: 'src/notebooks/ingest.py', source: 'WORKSPACE', base_parameters: { catalog: '${var.catalog}' } } },
              { task_key: 'pipeline', depends_on: [{ task_key: 'ingest' }], pipeline_task: { pipeline_id: '${resources.pipelines.pl.id}' } },
              { task_key: 'refresh', depends_on: [{ task_key: 'pipeline' }], dashboard_task: { dashboard_id: '${resources.dashboards.dash.id}', warehouse_id: '${var.warehouse_id}' } },
            ],
          },
        },
      },
      catalogs: {},
      schemas: {},
      volumes: {},
    },
    notebooks: {
      ingest: { source: 'ingest.py.hbs', path: 'src/notebooks/ingest.py', language: 'PYTHON', parameters: {}, widgets: {}, secrets: {}, tables: [] },
    },
    locations: {},
  };
}

/** Stand-in for synthBundle: one file per notebook, pipeline source and dashboard. */
export function sampleFiles(model: BundleModel, version = 1): SynthFile[] {
  const files: SynthFile[] = [];
  for (const nb of Object.values(model.notebooks)) files.push({ path: nb.path, content: `# Databricks notebook source\nprint("v${version}")\n` });
  for (const p of Object.values(model.resources.pipelines)) if (p.source_path) files.push({ path: p.source_path, content: `CREATE MATERIALIZED VIEW x AS SELECT ${version};\n` });
  for (const d of Object.values(model.resources.dashboards)) files.push({ path: d.file_path, content: JSON.stringify({ datasets: [], pages: [{ name: `p${version}` }] }) });
  return files;
}
