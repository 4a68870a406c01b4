// Pipelines-API updates on `dbx-ts local serve` execute: driven with the official Databricks SDK (start-update, get
// update, events, stop), an update runs the deployed pipeline on the local engine as a job's pipeline task does:
// real states, an event log with the run's data-quality metrics, refresh selections honoured, a violated `fail`
// expectation failing the update with its error, and stop cancelling it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { WorkspaceClient } from '@databricks/sdk-experimental';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../build/helpers.ts';
import { count, details, serve } from './served.ts';
import { strictBundle } from './strict-bundle.ts';

/** A deployed strict bundle whose landing folder holds these orders. */
async function project(orders: [string, number][]): Promise<{ cwd: string; env: Record<string, string>; database: string }> {
  const cwd = await tempDir('served-pipeline');
  await writeFile(join(cwd, 'package.json'), '{"type":"module"}\n');
  await writeFile(join(cwd, 'bundle.ts'), strictBundle(''));
  const env = { DBX_TS_LOCAL_DIR: join(cwd, '.dbx-ts', 'local') };
  const landing = join(env.DBX_TS_LOCAL_DIR, 'volumes', 'strict_cat', 'landing', 'raw', 'orders');
  await mkdir(landing, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const values = orders.map(([id, quantity]) => `('${id}', ${quantity})`).join(', ');
  await c.run(`COPY (SELECT * FROM (VALUES ${values}) t(order_id, quantity)) TO '${join(landing, 'part-0.parquet')}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  expect((await runCli(['deploy', '-t', 'local', '--auto-approve'], { cwd, env })).code).toBe(0);
  return { cwd, env, database: join(env.DBX_TS_LOCAL_DIR, 'db', 'strict_cat.duckdb') };
}

async function onlyPipeline(w: WorkspaceClient): Promise<string> {
  const ids = [];
  for await (const p of w.pipelines.listPipelines({})) ids.push(p.pipeline_id!);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELED'];

/** Polls the update to its end, recording each state seen. */
async function waitForUpdate(w: WorkspaceClient, pipelineId: string, updateId: string): Promise<{ state: string; seen: string[] }> {
  const seen: string[] = [];
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const state = String((await w.pipelines.getUpdate({ pipeline_id: pipelineId, update_id: updateId })).update?.state);
    if (seen.at(-1) !== state) seen.push(state);
    if (TERMINAL.includes(state)) return { state, seen };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`update ${updateId} did not end; states seen: ${seen.join(', ')}`);
}

async function eventsOf(w: WorkspaceClient, pipelineId: string, updateId: string) {
  const events = [];
  for await (const e of w.pipelines.listPipelineEvents({ pipeline_id: pipelineId, order_by: ['timestamp asc'] })) {
    if (e.origin?.update_id === updateId) events.push(e);
  }
  return events;
}

describe('Pipelines-API updates on local serve execute on the local engine', () => {
  it('runs the pipeline: states, event log with the real data-quality metrics, refresh selections', async () => {
    const { cwd, env, database } = await project([
      ['o1', 2],
      ['o2', 3],
    ]);
    const { w, stop } = await serve(cwd, env);
    try {
      const pipelineId = await onlyPipeline(w);
      const { update_id: updateId } = await w.pipelines.startUpdate({ pipeline_id: pipelineId });
      const { state } = await waitForUpdate(w, pipelineId, updateId!);
      expect(state).toBe('COMPLETED');
      const events = await eventsOf(w, pipelineId, updateId!);
      expect(events[0]?.event_type).toBe('create_update');
      const states = events.map(details).flatMap((d) => (d.update_progress?.state ? [d.update_progress.state] : []));
      expect(states).toEqual(['WAITING_FOR_RESOURCES', 'INITIALIZING', 'SETTING_UP_TABLES', 'RUNNING', 'COMPLETED']);
      const flows = events.filter((e) => e.event_type === 'flow_progress' && details(e).flow_progress?.status === 'COMPLETED');
      expect(flows.map((e) => e.origin?.flow_name).sort()).toEqual(['orders', 'orders_raw']);
      const silver = details(flows.find((e) => e.origin?.flow_name === 'orders')!).flow_progress!;
      expect(silver.metrics?.num_output_rows).toBe(2);
      expect(silver.data_quality?.expectations).toContainEqual({ name: 'positive_quantity', dataset: 'silver.orders', passed_records: 2, failed_records: 0 });
      expect((await w.pipelines.get({ pipeline_id: pipelineId })).state).toBe('IDLE');

      // refresh_selection: only the bronze table updates; full_refresh_selection: the silver table is rebuilt.
      const bronzeOnly = (await w.pipelines.startUpdate({ pipeline_id: pipelineId, refresh_selection: ['bronze.orders_raw'] })).update_id!;
      expect((await waitForUpdate(w, pipelineId, bronzeOnly)).state).toBe('COMPLETED');
      const bronzeFlows = (await eventsOf(w, pipelineId, bronzeOnly)).filter((e) => e.event_type === 'flow_progress' && details(e).flow_progress?.status === 'COMPLETED');
      expect(bronzeFlows.map((e) => e.origin?.flow_name)).toEqual(['orders_raw']);
      const rebuilt = (await w.pipelines.startUpdate({ pipeline_id: pipelineId, full_refresh_selection: ['silver.orders'] })).update_id!;
      expect((await waitForUpdate(w, pipelineId, rebuilt)).state).toBe('COMPLETED');
      const update = (await w.pipelines.getUpdate({ pipeline_id: pipelineId, update_id: rebuilt })).update!;
      expect(update.full_refresh_selection).toEqual(['silver.orders']);
      const rebuiltFlows = (await eventsOf(w, pipelineId, rebuilt)).filter((e) => e.event_type === 'flow_progress' && details(e).flow_progress?.status === 'COMPLETED');
      expect(rebuiltFlows.map((e) => [e.origin?.flow_name, details(e).flow_progress?.metrics?.num_output_rows])).toEqual([['orders', 2]]);
    } finally {
      expect((await stop()).code).toBe(0);
    }
    expect(await count(database, 'SELECT count(*) FROM silver.orders')).toBe(2);
  });

  it('a violated fail expectation fails the update with its error; stop cancels an update', async () => {
    const { cwd, env } = await project([
      ['o1', 2],
      ['o2', -5],
    ]);
    const { w, stop } = await serve(cwd, env);
    try {
      const pipelineId = await onlyPipeline(w);
      const failing = (await w.pipelines.startUpdate({ pipeline_id: pipelineId })).update_id!;
      expect((await waitForUpdate(w, pipelineId, failing)).state).toBe('FAILED');
      const events = await eventsOf(w, pipelineId, failing);
      const failedFlow = events.find((e) => e.event_type === 'flow_progress' && e.level === 'ERROR');
      expect(failedFlow?.origin?.flow_name).toBe('orders');
      expect(JSON.stringify(failedFlow?.error)).toMatch(/positive_quantity/);
      const last = events.at(-1)!;
      expect([last.event_type, last.level, details(last).update_progress?.state]).toEqual(['update_progress', 'ERROR', 'FAILED']);

      // Stopped while it starts: STOPPING, then CANCELED once the engine lets go; the pipeline is IDLE again.
      const stopped = (await w.pipelines.startUpdate({ pipeline_id: pipelineId })).update_id!;
      await (await w.pipelines.stop({ pipeline_id: pipelineId })).wait();
      expect((await waitForUpdate(w, pipelineId, stopped)).state).toBe('CANCELED');
      const states = (await eventsOf(w, pipelineId, stopped)).map(details).flatMap((d) => (d.update_progress?.state ? [d.update_progress.state] : []));
      expect(states.at(-1)).toBe('CANCELED');
      expect(states).not.toContain('FAILED');
    } finally {
      expect((await stop()).code).toBe(0);
    }
  });
});
