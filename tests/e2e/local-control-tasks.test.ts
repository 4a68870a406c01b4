// `dbx-ts run` on the local target with the control-flow task types: a condition task picks a branch (the other
// is EXCLUDED), a run-job task runs another job of the bundle as a run of its own, and a for-each task runs its
// nested pipeline task once per input. Both outcomes of the condition, through --param.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../build/helpers.ts';
import { strictBundle, strictProject } from './strict-bundle.ts';

const BUNDLE = strictBundle(`const child = new Job(app, 'child-job', { name: 'Child', parameters: [{ name: 'label', default: 'none' }] });
child.pipelineTask('child_load', { pipeline });
const job = new Job(app, 'main-job', { name: 'Main', parameters: [{ name: 'mode', default: 'full' }] });
const check = job.task('check', { condition_task: { op: 'EQUAL_TO', left: '{{job.parameters.mode}}', right: 'full' } });
const runChild = job.task('run_child', { run_job_task: { job_id: child.idRef, job_parameters: { label: 'from {{job.id}}' } }, depends_on: [{ task: check, outcome: 'true' }] });
const partial = job.pipelineTask('partial_load', { pipeline, depends_on: [{ task: check, outcome: 'false' }] });
job.task('each', { for_each_task: { inputs: '["a","b"]', task: { task_key: 'refresh', pipeline_task: { pipeline_id: pipeline.idRef } } }, depends_on: [partial, runChild], run_if: 'NONE_FAILED' });`);

interface History {
  result: string;
  outcomes: { task_key: string; result: string; message?: string; condition_outcome?: string; for_each_stats?: Record<string, unknown>; child_run?: { job: string; run_id?: string; result?: string } }[];
}

describe('condition, run-job and for-each tasks on the local target', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ dir, env } = await strictProject('control', BUNDLE, [['o1', 2], ['o2', 5]]));
  });

  /** The run history `run` wrote for run `id` (the run id is on the "Running ..." line). */
  const history = async (stdout: string): Promise<History> => {
    const id = /on the local target, run (\S+)/.exec(stdout)?.[1];
    expect(id).toBeDefined();
    return JSON.parse(await readFile(join(env['DBX_TS_LOCAL_DIR']!, 'runs', `${id}.json`), 'utf8')) as History;
  };
  const byKey = (h: History) => Object.fromEntries(h.outcomes.map((o) => [o.task_key, o]));

  it('takes the true branch: the child job runs as a run of its own, the false branch is EXCLUDED, the for-each runs its iterations', async () => {
    const result = await runCli(['run', 'main-job'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('task check: TERMINATED SUCCESS');
    expect(result.stdout).toContain('"full" EQUAL_TO "full": true');
    expect(result.stdout).toContain('task partial_load: SKIPPED EXCLUDED');
    // The child's tasks are lines under the parent's run, with the child's own run id.
    expect(result.stdout).toMatch(/Job child-job \(run \d+\): child_load: TERMINATED SUCCESS/);
    expect(result.stdout).toContain('2 iterations: 2 succeeded, 0 failed');
    const h = await history(result.stdout);
    expect(h.result).toBe('SUCCESS');
    const tasks = byKey(h);
    expect(tasks['check']).toMatchObject({ result: 'SUCCESS', condition_outcome: 'true' });
    expect(tasks['partial_load']!.result).toBe('EXCLUDED');
    expect(tasks['run_child']).toMatchObject({ result: 'SUCCESS', child_run: { job: '${resources.jobs.child-job.id}', result: 'SUCCESS' } });
    expect(tasks['run_child']!.child_run!.run_id).toMatch(/^\d+$/);
    expect(tasks['each']).toMatchObject({ result: 'SUCCESS', for_each_stats: { total_iterations: 2, succeeded_iterations: 2, failed_iterations: 0 } });
  });

  it('with --param mode=partial takes the false branch: the run-job task is EXCLUDED and the child job does not run', async () => {
    const result = await runCli(['run', 'main-job', '--param', 'mode=partial'], { cwd: dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"partial" EQUAL_TO "full": false');
    expect(result.stdout).not.toContain('Job child-job');
    const tasks = byKey(await history(result.stdout));
    expect(Object.fromEntries(Object.entries(tasks).map(([k, o]) => [k, o.result]))).toEqual({ check: 'SUCCESS', run_child: 'EXCLUDED', partial_load: 'SUCCESS', each: 'SUCCESS' });
    expect(tasks['check']!.condition_outcome).toBe('false');
  });
});
