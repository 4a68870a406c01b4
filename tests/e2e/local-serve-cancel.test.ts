// Cancelling on `dbx-ts local serve` stops the table that is being computed: a run whose notebook builds a table
// with a statement far too big to finish ends CANCELED seconds after runs/cancel (the engine interrupts the DuckDB
// statement), the table is not left half-written, and the next run (a small size) builds it; a pipeline update
// stopped while its table runs ends CANCELED the same way. Driven with the official SDK.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceClient } from '@databricks/sdk-experimental';
import { describe, expect, it } from 'vitest';
import { runCli } from '../build/helpers.ts';
import { count, serve } from './served.ts';
import { strictBundle, strictProject } from './strict-bundle.ts';

// A cross join of size × size rows: 10^12 with the default, which no test machine finishes.
const SLOW = "SELECT sum(a.range * b.range) AS n FROM range(${size}) a, range(${size}) b";
const BUNDLE = strictBundle(`const slow = new Notebook(app, 'slow', {
  source: 'slow.py',
  widgets: { size: '1000000' },
  tables: [{ name: 'gold.slow_sum', layer: 'gold', kind: 'materialized_view', query: ${JSON.stringify(SLOW)} }],
});
const job = new Job(app, 'slow-job', { name: 'Slow', parameters: [{ name: 'size', default: '1000000' }] });
job.notebookTask('build', { notebook: slow });
new Pipeline(app, 'slow-pipeline', { catalog: app.var('catalog'), schema: 'gold', tables: [{ name: 'gold.slow_pipe', layer: 'gold', kind: 'materialized_view', query: ${JSON.stringify(SLOW.replaceAll('${size}', '1000000'))} }] });`);

async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function idOf(w: WorkspaceClient, kind: 'job' | 'pipeline', name: string): Promise<string> {
  if (kind === 'job') for await (const j of w.jobs.list({})) if (j.settings?.name?.includes(name)) return String(j.job_id);
  if (kind === 'pipeline') for await (const p of w.pipelines.listPipelines({})) if (p.name?.includes(name)) return p.pipeline_id!;
  throw new Error(`no ${kind} ${name}`);
}

describe('cancel on local serve interrupts the running table', () => {
  it('a cancelled run ends CANCELED at once and the next run builds the table; a stopped update ends CANCELED', async () => {
    const { dir, env } = await strictProject('cancel', BUNDLE, [['o1', 2]]);
    await writeFile(join(dir, 'slow.py'), '# Databricks notebook source\nprint("slow")\n');
    expect((await runCli(['deploy', '-t', 'local', '--auto-approve'], { cwd: dir, env })).code).toBe(0);
    const { w, stop } = await serve(dir, env);
    try {
      const jobId = Number(await idOf(w, 'job', 'Slow'));
      const { run_id } = await w.jobs.runNow({ job_id: jobId });
      await until('the task to run', async () => ((await w.jobs.getRun({ run_id: run_id! })).tasks?.[0]?.state?.life_cycle_state === 'RUNNING' ? true : undefined));
      // Let the statement get going before it is interrupted.
      await new Promise((r) => setTimeout(r, 300));
      const cancelledAt = Date.now();
      await w.jobs.cancelRun({ run_id: run_id! });
      const cancelled = await until('the run to end', async () => {
        const run = await w.jobs.getRun({ run_id: run_id! });
        return run.state?.life_cycle_state === 'TERMINATED' ? run : undefined;
      });
      expect(Date.now() - cancelledAt).toBeLessThan(5_000);
      expect(cancelled.state?.result_state).toBe('CANCELED');
      expect(cancelled.tasks?.[0]?.state?.result_state).toBe('CANCELED');

      const next = await (await w.jobs.runNow({ job_id: jobId, job_parameters: { size: '10' } })).wait();
      expect(next.state?.result_state).toBe('SUCCESS');

      const pipelineId = await idOf(w, 'pipeline', 'slow-pipeline');
      const { update_id } = await w.pipelines.startUpdate({ pipeline_id: pipelineId });
      await until('the update to run', async () => ((await w.pipelines.getUpdate({ pipeline_id: pipelineId, update_id: update_id! })).update?.state === 'RUNNING' ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      const stoppedAt = Date.now();
      await w.pipelines.stop({ pipeline_id: pipelineId });
      const state = await until('the update to end', async () => {
        const s = (await w.pipelines.getUpdate({ pipeline_id: pipelineId, update_id: update_id! })).update?.state;
        return s === 'CANCELED' || s === 'COMPLETED' || s === 'FAILED' ? s : undefined;
      });
      expect(state).toBe('CANCELED');
      expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    } finally {
      await stop();
    }
    // 10 × 10 rows: the sum of i·j for i, j < 10 is 45².
    expect(await count(join(env.DBX_TS_LOCAL_DIR, 'db', 'strict_cat.duckdb'), 'SELECT n FROM gold.slow_sum')).toBe(2025);
  });
});
