// `dbx-ts run <job> -t local` goes through the local workspace as a workspace target does: run-now (with --only,
// --param and --full-refresh-all as run-now's only, job_parameters and pipeline_params), runs/cancel for --timeout,
// and the runs stay in the workspace. Read back afterwards with the official SDK from `local serve` on the same
// directory; while that server holds the directory, a local run is refused naming it.
import { describe, expect, it } from 'vitest';
import { runCli } from '../build/helpers.ts';
import { serve } from './served.ts';
import { landOrders, strictBundle, strictProject } from './strict-bundle.ts';

const BUNDLE = strictBundle(`const job = new Job(app, 'orders-job', { name: 'Orders', parameters: [{ name: 'mode', default: 'full' }] });
const load = job.pipelineTask('load_orders', { pipeline });
job.pipelineTask('after_load', { pipeline, depends_on: [load] });`);

const runIdOf = (stdout: string) => /on the local target, run (\d+)/.exec(stdout)?.[1];

describe('run -t local through the local workspace', () => {
  it('leaves each run in the workspace, as runs/list and runs/get of `local serve` show them', async () => {
    const { dir, env, landing } = await strictProject('via-workspace', BUNDLE, [['o1', 2], ['o3', 1]]);

    const ok = await runCli(['run', 'orders-job'], { cwd: dir, env });
    expect(ok.code).toBe(0);
    const only = await runCli(['run', 'orders-job', '--only', 'after_load', '--param', 'mode=partial', '--full-refresh-all', '--no-show-results'], { cwd: dir, env });
    expect(only.code).toBe(0);
    expect(only.stdout).not.toContain('load_orders: RUNNING');
    expect(only.stdout).toContain('full refresh');
    await landOrders(landing, 'part-1.parquet', [['o2', -5]]);
    const failed = await runCli(['run', 'orders-job'], { cwd: dir, env });
    expect(failed.code).toBe(1);
    const timedOut = await runCli(['run', 'orders-job', '--timeout', '1ms'], { cwd: dir, env });
    expect(timedOut.code).toBe(4);
    expect(timedOut.stderr).toContain('timed out');
    const ids = [ok, only, failed, timedOut].map((r) => runIdOf(r.stdout));
    expect(ids.every((id) => id !== undefined)).toBe(true);

    // The CLI's run history names the same runs.
    const history = await runCli(['runs', 'list', 'orders-job', '--limit', '10'], { cwd: dir, env });
    for (const id of ids) expect(history.stdout).toContain(id!);

    const served = await serve(dir, env);
    try {
      const { w } = served;
      // Held by the server: a local run is refused, naming the holder and what to do.
      const refused = await runCli(['run', 'orders-job'], { cwd: dir, env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('in use by dbx-ts local serve');
      expect(refused.stderr).toContain('Stop `dbx-ts local serve`');

      const listed = [];
      for await (const run of w.jobs.listRuns({})) listed.push(String(run.run_id));
      for (const id of ids) expect(listed).toContain(id);

      const get = (id: string | undefined) => w.jobs.getRun({ run_id: Number(id) });
      const tasks = (run: Awaited<ReturnType<typeof get>>) => Object.fromEntries((run.tasks ?? []).map((t) => [t.task_key, t.state?.result_state]));
      const first = await get(ids[0]);
      expect(first.state?.result_state).toBe('SUCCESS');
      expect(tasks(first)).toEqual({ load_orders: 'SUCCESS', after_load: 'SUCCESS' });

      const second = await get(ids[1]);
      expect(second.state?.result_state).toBe('SUCCESS');
      expect(tasks(second)).toEqual({ after_load: 'SUCCESS' });
      expect(second.job_parameters?.find((p) => p.name === 'mode')?.value).toBe('partial');
      expect(second.overriding_parameters?.pipeline_params?.full_refresh).toBe(true);

      const third = await get(ids[2]);
      expect(third.state?.result_state).toBe('FAILED');
      expect(tasks(third)).toEqual({ load_orders: 'FAILED', after_load: 'UPSTREAM_FAILED' });
      const load = third.tasks!.find((t) => t.task_key === 'load_orders')!;
      const output = await w.jobs.getRunOutput({ run_id: load.run_id! });
      expect(output.error).toContain('positive_quantity');

      const fourth = await get(ids[3]);
      expect(fourth.state?.result_state).toBe('CANCELED');
    } finally {
      expect((await served.stop()).code).toBe(0);
    }
  }, 120_000);
});
