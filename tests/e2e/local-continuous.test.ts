// run --continuous on a small bundle: a run that fails on a bad landing file is reported, the command keeps
// watching, and the next file starts the job again; a job with no landing files to watch is refused up front.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../build/helpers.ts';
import { landOrders, strictBundle, strictProject } from './strict-bundle.ts';

const BUNDLE = strictBundle(`const plain = new Notebook(app, 'plain', { source: 'nb.py' });
const job = new Job(app, 'orders-job', { name: 'Orders' });
job.pipelineTask('load_orders', { pipeline });
new Job(app, 'no-files', { name: 'No files' }).notebookTask('only_notebook', { notebook: plain });`);

describe('run --continuous when a run fails', () => {
  it('reports the failure, keeps watching, and runs the job again when the next file lands', async () => {
    const { dir, env, landing } = await strictProject('continuous', BUNDLE, [['o1', 2]]);
    await writeFile(join(dir, 'nb.py'), '# Databricks notebook source\nprint(1)\n');

    const run = startCli(['run', 'orders-job', '--continuous'], { cwd: dir, env });
    try {
      await run.waitFor(/Watching the landing zone for new files \(Ctrl-C to stop\): \/Volumes\/strict_cat\/landing\/raw\/orders/, 0, 60_000);
      let mark = run.output().length;
      await landOrders(landing, 'part-1.parquet', [['o2', -5]]);
      await run.waitFor(/Run \d+ FAILED/, mark, 30_000);
      expect(run.output().slice(mark)).toContain("Rows of silver.orders that broke expectation positive_quantity");

      // Still watching: the next file starts the job again (silver meets the bad row again and fails again).
      mark = run.output().length;
      await landOrders(landing, 'part-2.parquet', [['o3', 4]]);
      await run.waitFor(/Run \d+ FAILED/, mark, 30_000);
      const rerun = run.output().slice(mark);
      expect(rerun.match(/New landing files?: .*/g)).toEqual(['New landing file: /Volumes/strict_cat/landing/raw/orders/part-2.parquet']);
      expect(rerun).toMatch(/strict_cat\.bronze\.orders_raw: read 1, inserted 1/);
    } finally {
      run.stop();
    }
    expect(await run.done).toBe(0);
    expect(run.output()).toContain('Stopped watching the landing zone.');
  }, 120_000);

  it('refuses a job with no landing files to watch before running it', async () => {
    const dir = await tempDir('continuous-none');
    await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
    await writeFile(join(dir, 'bundle.ts'), BUNDLE);
    await writeFile(join(dir, 'nb.py'), '# Databricks notebook source\nprint(1)\n');
    const result = await runCli(['run', 'no-files', '--continuous'], { cwd: dir, env: { DBX_TS_LOCAL_DIR: join(dir, '.dbx-ts', 'local') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--continuous: no task of the job reads landing files (an Auto Loader source), so there is nothing to watch.');
    expect(result.stdout).not.toContain('only_notebook: RUNNING');
  });
});
