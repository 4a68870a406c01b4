// Runs on `dbx-ts local serve` execute: driven with the official Databricks SDK, a run of the deployed reference
// job does the real work on the local engine (event log, gold rows in the served workspace's DuckDB), a violated
// `fail` expectation fails its task with the error in get-output, and runs over max_concurrent_runs queue.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { WorkspaceClient } from '@databricks/sdk-experimental';
import { describe, expect, it } from 'vitest';
import { runCli, scratchProject, tempDir } from '../build/helpers.ts';
import { count, details, serve } from './served.ts';
import { strictBundle } from './strict-bundle.ts';

async function jobNamed(w: WorkspaceClient, name: string): Promise<number> {
  for await (const job of w.jobs.list({})) if (job.settings?.name?.includes(name)) return job.job_id!;
  throw new Error(`no job ${name}`);
}

describe('runs on local serve execute on the local engine', () => {
  it('a run of the deployed reference job does the real work and ends SUCCESS', async () => {
    const cwd = await scratchProject();
    const env = { OPENAI_API_KEY: '', DBX_TS_LOCAL_DIR: join(cwd, '.dbx-ts', 'local') };
    const deploy = await runCli(['deploy', '-t', 'local', '--auto-approve'], { cwd, env });
    expect(deploy.code).toBe(0);
    const { w, stop, host, token } = await serve(cwd, env);
    let served: unknown;
    try {
      const jobId = await jobNamed(w, 'Unified_Workflow_Job');
      const run = await (await w.jobs.runNow({ job_id: jobId })).wait();
      expect(run.state?.result_state).toBe('SUCCESS');
      const byKey = Object.fromEntries((run.tasks ?? []).map((t) => [t.task_key, t]));
      expect(Object.keys(byKey).sort()).toEqual(['DLT_streaming_data', 'batch_and_stream_processing', 'gpt_summary', 'optimize_gold_and_create_view', 'task_ingest_batch_data', 'update_dashboard']);
      for (const t of Object.values(byKey)) expect(t.state?.result_state).toBe('SUCCESS');
      const gold = await w.jobs.getRunOutput({ run_id: byKey['batch_and_stream_processing']!.run_id! });
      expect(gold.notebook_output?.result).toMatch(/rows read/);
      // The pipeline task's update, with flow progress and data-quality metrics in the pipeline's event log.
      const pipelineId = byKey['DLT_streaming_data']!.pipeline_task!.pipeline_id!;
      const events = [];
      for await (const e of w.pipelines.listPipelineEvents({ pipeline_id: pipelineId })) events.push(e);
      const flows = events.map(details).filter((d) => d.flow_progress?.status === 'COMPLETED');
      expect(flows.length).toBeGreaterThan(0);
      expect(flows.some((d) => (d.flow_progress?.metrics?.num_output_rows ?? 0) > 0)).toBe(true);
      expect(flows.some((d) => (d.flow_progress?.data_quality?.expectations?.length ?? 0) > 0)).toBe(true);
      expect(events.map(details).some((d) => d.update_progress?.state === 'COMPLETED')).toBe(true);
      // The same table through the SQL connector: `dbx-ts query` on a workspace target uses @databricks/sql, over
      // TLS to the served warehouse, which reads the served workspace's DuckDB database.
      const query = await runCli(['query', '-t', 'dev', '-o', 'json', 'SELECT count(*) AS n FROM sales_lakehouse.gold.sales_enriched'], {
        cwd,
        env: {
          ...env,
          DATABRICKS_HOST: host,
          DATABRICKS_TOKEN: token,
          DATABRICKS_CONFIG_FILE: join(cwd, 'no-databrickscfg'),
          BUNDLE_VAR_warehouse_id: 'local',
          BUNDLE_VAR_keyvault_resource_id: '/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/v',
          BUNDLE_VAR_keyvault_dns_name: 'https://v.vault.azure.net/',
        },
      });
      expect(query.stderr).toBe('');
      served = JSON.parse(query.stdout);
    } finally {
      expect((await stop()).code).toBe(0);
    }
    const database = join(env.DBX_TS_LOCAL_DIR, 'db', 'sales_lakehouse.duckdb');
    const rows = await count(database, 'SELECT count(*) FROM gold.sales_enriched');
    expect(rows).toBeGreaterThan(0);
    expect(served).toEqual([{ n: rows }]);
    expect(await count(database, "SELECT count(*) FROM _system.event_log WHERE event_type = 'flow_progress'")).toBeGreaterThan(0);
  });

  it('a violated fail expectation fails the run with its error in get-output; parallel runs queue', async () => {
    const cwd = await tempDir('strict-served');
    await writeFile(join(cwd, 'package.json'), '{"type":"module"}\n');
    await writeFile(join(cwd, 'bundle.ts'), STRICT_BUNDLE);
    const env = { DBX_TS_LOCAL_DIR: join(cwd, '.dbx-ts', 'local') };
    const landing = join(env.DBX_TS_LOCAL_DIR, 'volumes', 'strict_cat', 'landing', 'raw', 'orders');
    await mkdir(landing, { recursive: true });
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (SELECT * FROM (VALUES ('o1', 2), ('o2', -5)) t(order_id, quantity)) TO '${join(landing, 'part-0.parquet')}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    expect((await runCli(['deploy', '-t', 'local', '--auto-approve'], { cwd, env })).code).toBe(0);
    const { w, stop } = await serve(cwd, env);
    try {
      const jobId = await jobNamed(w, 'Orders');
      const waiters = await Promise.all([0, 1, 2].map(() => w.jobs.runNow({ job_id: jobId })));
      const states = await Promise.all(waiters.map((r) => w.jobs.getRun({ run_id: r.run_id! })));
      expect(states.map((s) => s.state?.life_cycle_state).filter((s) => s === 'QUEUED')).toHaveLength(2);
      const ended = [];
      for (const waiter of waiters) ended.push(await waiter.wait());
      for (const run of ended) expect(run.state?.result_state).toBe('FAILED');
      const failed = ended[0]!.tasks!.find((t) => t.task_key === 'load_orders')!;
      expect(failed.state?.result_state).toBe('FAILED');
      expect(ended[0]!.tasks!.find((t) => t.task_key === 'after_load')!.state?.result_state).toBe('UPSTREAM_FAILED');
      const output = await w.jobs.getRunOutput({ run_id: failed.run_id! });
      expect(output.error).toMatch(/positive_quantity/);
      expect(output.error_trace).toMatch(/ExpectationFailedError/);
      // The update of the failed task failed, and says which flow.
      const events = [];
      for await (const e of w.pipelines.listPipelineEvents({ pipeline_id: failed.pipeline_task!.pipeline_id! })) events.push(e);
      expect(events.some((e) => e.event_type === 'flow_progress' && e.level === 'ERROR')).toBe(true);
    } finally {
      await stop();
    }
  });
});

const STRICT_BUNDLE = strictBundle(`const job = new Job(app, 'orders-job', { name: 'Orders' });
const load = job.pipelineTask('load_orders', { pipeline });
job.pipelineTask('after_load', { pipeline, depends_on: [load] });`);
