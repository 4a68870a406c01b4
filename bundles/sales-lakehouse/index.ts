// The reference bundle: a real-time sales lakehouse on Databricks (and locally on DuckDB).
// Notebook sources are relative to this file; what is not a table model plugs into dbx-ts' extension points:
// the summary notebook's local implementation, the data simulator and the result views.
import { Bundle, Dashboard, Job, Notebook, Pipeline, ResultView, Schema, SecretScope, Simulator, Volume } from '../../src/index.ts';
import { datasets, widgets } from './dashboard.ts';
import { showGold, showSummary } from './results.ts';
import { summaryNotebookParameters } from './summary/notebook-parameters.ts';
import { batchTables, goldTables, goldViews, LANDING, streamingTables } from './tables.ts';

const app = new Bundle({
  name: 'sales_lakehouse',
  variables: {
    catalog: { description: 'Unity Catalog catalog holding the landing, bronze, silver and gold schemas', default: 'sales_lakehouse' },
    warehouse_id: { description: 'SQL warehouse for the dashboard and the SQL connector (set BUNDLE_VAR_warehouse_id)' },
    keyvault_resource_id: { description: 'Azure resource id of the Key Vault behind adls_scope (set BUNDLE_VAR_keyvault_resource_id)' },
    keyvault_dns_name: { description: 'DNS name of that Key Vault, e.g. https://my-vault.vault.azure.net/ (set BUNDLE_VAR_keyvault_dns_name)' },
    openai_model: { description: 'Model that writes the sales summary', default: 'gpt-4o-mini' },
    notify_email: { description: 'Who hears about failed runs', default: 'data-team@example.com' },
  },
  targets: {
    local: {
      default: true,
      local: true,
      mode: 'development',
      variables: {
        warehouse_id: 'local',
        keyvault_resource_id: 'local',
        keyvault_dns_name: 'https://local.vault.azure.net/',
      },
    },
    dev: { mode: 'development' },
    prod: {
      mode: 'production',
      workspace: { root_path: '/Workspace/Shared/.bundle/${bundle.name}/${bundle.target}' },
    },
  },
});

const catalog = app.var('catalog');

// What the pipeline and notebooks use in the catalog; deploy creates them (the catalog itself must exist).
const landing = new Schema(app, 'landing', { catalog, comment: 'Raw files as they arrive, before any parsing.' });
new Schema(app, 'bronze', { catalog, comment: 'Landing records as read, one row per record, unparsed.' });
const silver = new Schema(app, 'silver', { catalog, comment: 'Cleansed, typed, validated and deduplicated sales and dimensions.' });
const goldSchema = new Schema(app, 'gold', { catalog, comment: 'Enriched sales, aggregates, views and the executive summary.' });
/** Landing files (Parquet), and the streaming checkpoints of the batch notebook under `_checkpoints/`. */
const raw = new Volume(app, 'raw', { schema: landing, comment: 'Landing files and streaming checkpoints (_checkpoints).' });

const adls = new SecretScope(app, 'adls_scope', {
  backend_type: 'AZURE_KEYVAULT',
  keyvault_metadata: { resource_id: app.var('keyvault_resource_id'), dns_name: app.var('keyvault_dns_name') },
});
const openAiKey = adls.secret('open-ai-api-key');
adls.secret('adls-client-secret');

const pipeline = new Pipeline(app, 'pl_streaming_data_to_silver', {
  name: 'pl_streaming_data_to_silver',
  catalog,
  schema: silver.nameRef,
  serverless: true,
  continuous: false,
  channel: 'CURRENT',
  configuration: { catalog, landing_root: raw.path },
  tables: streamingTables,
});

// The simulator notebook lands data on Databricks; locally, the Simulator below does (dbx-ts simulate).
const simulator = new Notebook(app, 'simulate_data', {
  source: 'notebooks/simulate_data.py.hbs',
  widgets: { catalog, rows: '5000', files: '5', seed: '42', dirty_rate: '0.05' },
  // Locally (should a job run it): the same simulator, with the notebook's widget values.
  local: async (ctx) => {
    const { simulate } = await import('./simulator/simulate.ts');
    const w = ctx.widgets;
    const options = { rows: Number(w['rows']), files: Number(w['files']), seed: Number(w['seed']), dirtyRate: Number(w['dirty_rate']) };
    await simulate(ctx.localPath(LANDING), options, { sink: ctx.sink, signal: ctx.signal });
    return 'data simulated';
  },
});
const ingestBatch = new Notebook(app, 'ingest_batch', {
  source: 'notebooks/ingest_batch.py.hbs',
  widgets: { catalog },
  tables: batchTables,
});
const processGold = new Notebook(app, 'process_gold', {
  source: 'notebooks/process_gold.py.hbs',
  widgets: { catalog },
  tables: goldTables,
});
const optimizeGold = new Notebook(app, 'optimize_gold', {
  source: 'notebooks/optimize_gold.py.hbs',
  widgets: { catalog },
  tables: goldViews,
});
const summary = new Notebook(app, 'gpt_summary', {
  source: 'notebooks/gpt_summary.py.hbs',
  parameters: summaryNotebookParameters(),
  // on_llm_failure: `offline` writes the offline summary with a warning when there is no key or no answer; `fail` fails.
  widgets: { catalog, openai_model: app.var('openai_model'), on_llm_failure: 'offline' },
  secrets: { openai_api_key: openAiKey },
  // Locally: the same metrics and prompt; OpenAI with a key, else the offline template.
  local: async (ctx) => (await import('./summary/local-run.ts')).runSummaryLocally(ctx),
});

new Simulator(app, 'sales_data', {
  description: 'products, stores, promotions and batch sales as Parquet (with dirty rows); with --stream, streaming sales too',
  landing: LANDING,
  options: {
    rows: { type: 'integer', min: 1, default: 10_000, description: 'batch sales rows' },
    files: { type: 'integer', min: 1, default: 4, description: 'batch sales files' },
    seed: { type: 'integer', min: 0, default: 42, description: 'random seed: the same seed writes the same data' },
    'dirty-rate': { type: 'number', min: 0, max: 1, default: 0.05, description: 'share of dirty sales rows' },
    'corrupt-file': { type: 'boolean', description: 'also write one corrupt Parquet file, to see it set aside as a bad file' },
    stream: { type: 'boolean', description: 'also write streaming sales, one file per batch' },
    interval: { type: 'number', min: 0, default: 5, description: 'seconds between stream batches' },
    batches: { type: 'integer', min: 1, default: 10, description: 'stream batches' },
  },
  // A first local run with an empty landing zone: batch data and three stream batches at once.
  first_run: { stream: true, interval: 0, batches: 3 },
  // Where the last simulation stopped (next file numbers, next transaction id), kept in the volume.
  state: ['_simulator/manifest.json'],
  run: async (ctx) => (await import('./simulator/run.ts')).runSalesSimulator(ctx),
});

new ResultView(app, 'gold', { description: 'the newest rows of gold.sales_enriched', show: showGold });
new ResultView(app, 'summary', { description: 'the newest LLM summary', show: showSummary });

const dashboard = new Dashboard(app, 'sales_dashboard', {
  display_name: 'Sales lakehouse',
  warehouse_id: app.var('warehouse_id'),
  dataset_catalog: catalog,
  dataset_schema: goldSchema.nameRef,
  datasets,
  widgets,
});

const job = new Job(app, 'unified-workflow', {
  name: 'Unified_Workflow_Job',
  description: 'Streaming and batch ingestion to silver, gold, views, an LLM summary and the dashboard refresh.',
  max_concurrent_runs: 1,
  timeout_seconds: 7200,
  queue: { enabled: true },
  schedule: { quartz_cron_expression: '0 0 * * * ?', timezone_id: 'UTC', pause_status: 'UNPAUSED' },
  email_notifications: { on_failure: [app.var('notify_email')] },
  parameters: [{ name: 'catalog', default: catalog }],
  environments: [{ environment_key: 'default', spec: { environment_version: '2', dependencies: ['openai>=1.40'] } }],
  tags: { project: 'sales-lakehouse', managed_by: 'dbx-ts' },
});

const retry = { max_retries: 2, min_retry_interval_millis: 60_000, retry_on_timeout: true };
const streaming = job.pipelineTask('DLT_streaming_data', { pipeline, ...retry });
const batch = job.notebookTask('task_ingest_batch_data', { notebook: ingestBatch, environment_key: 'default', ...retry });
const gold = job.notebookTask('batch_and_stream_processing', {
  notebook: processGold,
  environment_key: 'default',
  depends_on: [streaming, batch],
});
const views = job.notebookTask('optimize_gold_and_create_view', {
  notebook: optimizeGold,
  environment_key: 'default',
  depends_on: [gold],
});
const gpt = job.notebookTask('gpt_summary', {
  notebook: summary,
  environment_key: 'default',
  depends_on: [views],
  timeout_seconds: 900,
});
job.dashboardTask('update_dashboard', { dashboard, depends_on: [gpt] });

export { simulator };
export default app;
