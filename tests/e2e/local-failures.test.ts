// How a failing local run explains itself: the task, the expectation, sample rows, where to look; and the
// options that only make sense on a workspace are refused rather than ignored.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../build/helpers.ts';
import { strictBundle, strictProject } from './strict-bundle.ts';

const BUNDLE = strictBundle(`const job = new Job(app, 'orders-job', { name: 'Orders' });
const load = job.pipelineTask('load_orders', { pipeline });
job.pipelineTask('after_load', { pipeline, depends_on: [load] });`);

describe('a local run that fails', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ dir, env } = await strictProject('strict', BUNDLE, [['o1', 2], ['o2', -5], ['o3', 1]]));
  });

  it('names the task and the expectation, shows the offending rows and the skipped tasks, and exits 1', async () => {
    const result = await runCli(['run', 'orders-job'], { cwd: dir, env });
    expect(result.code).toBe(1);
    // What went wrong, and the rows that show it, on stderr; the task lines on stdout.
    expect(result.stdout).toContain('task after_load: SKIPPED UPSTREAM_FAILED');
    expect(result.stderr).toContain("Rows of silver.orders that broke expectation positive_quantity (a sample):");
    expect(result.stderr).toMatch(/^o2\s+-5\s*$/m);
    expect(result.stderr).not.toMatch(/^o1\s/m);
    expect(result.stderr).toMatch(/Task load_orders failed: .*positive_quantity/);
    expect(result.stderr).toContain('skipped because of it: after_load');
    expect(result.stderr).toMatch(/run history: \S+\.json/);
    expect(result.stderr).toContain('error: Task load_orders failed');
  });

  it('refuses workspace-only options on the local target instead of ignoring them', async () => {
    const result = await runCli(['run', 'orders-job', '--no-wait', '--restart'], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--no-wait, --restart are for workspace targets');
  });

  it('--timeout cancels the run when it expires and exits with the timed-out code', async () => {
    const result = await runCli(['run', 'orders-job', '--timeout', '1ms'], { cwd: dir, env });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('timed out');
  });

  it('runs list names the jobs when the key is unknown', async () => {
    const result = await runCli(['runs', 'list', 'nope'], { cwd: dir, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No job "nope" in bundle "strict"');
    expect(result.stderr).toContain('Jobs: orders-job.');
  });
});
