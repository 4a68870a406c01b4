import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Job, Notebook, TaskHandle, type JobProps } from '../../src/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { validateModel, validateResolved } from '../../src/validate/index.ts';
import { FIXTURE_REPO, markedLine, matching, only, testBundle } from './helpers.ts';

const here = import.meta.url;
const line = (name: string): number => markedLine(here, name);
const opts = { repoRoot: FIXTURE_REPO };

describe('task checks', () => {
  it('names a cycle among tasks and points at the task that starts it', () => {
    const app = testBundle();
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const job = new Job(app, 'etl', { name: 'ETL' });
    // a hand-made handle refers to a task declared later, which is how a cycle can be written
    job.notebookTask('a', { notebook: nb, depends_on: [new TaskHandle(job, 'c')] }); // @mark cycle-start
    const b = job.notebookTask('b', { notebook: nb, depends_on: [new TaskHandle(job, 'a')] });
    job.notebookTask('c', { notebook: nb, depends_on: [b] });
    job.notebookTask('self', { notebook: nb, depends_on: [new TaskHandle(job, 'self')] }); // @mark self-loop
    const cycles = matching(validateModel(resolve(app).model, opts), 'cycle');
    expect(cycles.map((d) => [d.message, d.path, d.location?.line])).toEqual([
      ['Tasks of job "etl" depend on each other in a cycle: a → c → b → a.', 'resources.jobs.etl.tasks[0].depends_on[0]', line('cycle-start')],
      ['Tasks of job "etl" depend on each other in a cycle: self → self.', 'resources.jobs.etl.tasks[3].depends_on[0]', line('self-loop')],
    ]);
    expect(cycles.every((d) => d.severity === 'error')).toBe(true);
  });

  it('reports a dependency on a task of another job as unknown, once, at the line of the task', () => {
    const app = testBundle();
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const other = new Job(app, 'other', { name: 'Other' });
    const foreign = other.notebookTask('foreign', { notebook: nb });
    const job = new Job(app, 'etl', { name: 'ETL' });
    job.notebookTask('first', { notebook: nb });
    job.notebookTask('second', { notebook: nb, depends_on: [foreign] }); // @mark foreign-dep
    const resolved = resolve(app);
    const d = only(validateModel(resolved.model, opts), 'unknown task');
    expect(d.message).toBe('Task "second" depends on unknown task "foreign" (job "etl" has: first, second).');
    expect(d.path).toBe('resources.jobs.etl.tasks[1].depends_on[0]');
    expect(d.location?.line).toBe(line('foreign-dep'));
    expect(d.location?.file).toBe(fileURLToPath(here));
    // resolve reports the same mistake; together the problem appears once
    const all = validateResolved(resolved, opts).filter((x) => x.path === 'resources.jobs.etl.tasks[1].depends_on[0]');
    expect(all).toHaveLength(1);
    expect(all[0]!.message).toContain('a task can only depend on tasks of its own job');
  });

  it('an outcome dependency must name a condition task and "true" or "false"', () => {
    const app = testBundle();
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const job = new Job(app, 'etl', { name: 'ETL' });
    const check = job.task('check', { condition_task: { op: 'EQUAL_TO', left: '{{job.parameters.mode}}', right: 'full' } });
    const load = job.notebookTask('load', { notebook: nb, depends_on: [{ task: check, outcome: 'true' }] });
    job.notebookTask('after', { notebook: nb, depends_on: [{ task: load, outcome: 'true' }] }); // @mark outcome-of-notebook
    job.notebookTask('maybe', { notebook: nb, depends_on: [{ task: check, outcome: 'yes' as 'true' }] });
    const found = matching(validateModel(resolve(app).model, opts), 'outcome');
    expect(found.map((d) => [d.message, d.path])).toEqual([
      ['Task "after" depends on outcome "true" of "load", which is not a condition task (only condition tasks have outcomes).', 'resources.jobs.etl.tasks[2].depends_on[0].outcome'],
      ['Task "maybe" depends on outcome "yes" of condition task "check"; an outcome is "true" or "false".', 'resources.jobs.etl.tasks[3].depends_on[0].outcome'],
    ]);
    expect(found[0]!.location?.line).toBe(line('outcome-of-notebook'));
  });

  it('reports duplicate task keys at both declarations', () => {
    const app = testBundle();
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const job = new Job(app, 'etl', { name: 'ETL' });
    job.notebookTask('load', { notebook: nb }); // @mark dup-1
    job.notebookTask('other', { notebook: nb });
    job.notebookTask('load', { notebook: nb }); // @mark dup-2
    const found = matching(validateModel(resolve(app).model, opts), 'Duplicate task key "load"');
    expect(found.map((d) => [d.path, d.location?.line])).toEqual([
      ['resources.jobs.etl.tasks[0].task_key', line('dup-1')],
      ['resources.jobs.etl.tasks[2].task_key', line('dup-2')],
    ]);
    const file = relative(FIXTURE_REPO, fileURLToPath(here));
    expect(found[0]!.message).toBe(`Duplicate task key "load" in job "etl": also tasks[2] at ${file}:${line('dup-2')}.`);
    expect(found[1]!.message).toBe(`Duplicate task key "load" in job "etl": also tasks[0] at ${file}:${line('dup-1')}.`);
  });

  it('rejects task keys Databricks does not accept', () => {
    const app = testBundle();
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const job = new Job(app, 'etl', { name: 'ETL' });
    job.notebookTask('load data', { notebook: nb }); // @mark bad-key
    job.notebookTask('k'.repeat(101), { notebook: nb }); // @mark long-key
    job.notebookTask('k'.repeat(100), { notebook: nb });
    const diagnostics = validateModel(resolve(app).model, opts);
    const bad = only(diagnostics, 'Task key "load data"');
    expect(bad.message).toBe('Task key "load data" in job "etl" may contain only letters, digits, `_` and `-`.');
    expect(bad.location?.line).toBe(line('bad-key'));
    const long = only(diagnostics, 'longer than 100');
    expect(long.path).toBe('resources.jobs.etl.tasks[1].task_key');
    expect(long.location?.line).toBe(line('long-key'));
  });

  it('requires job_cluster_key and environment_key to be defined by the job', () => {
    const app = testBundle();
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const job = new Job(app, 'etl', {
      name: 'ETL',
      environments: [{ environment_key: 'default', spec: { environment_version: '2' } }],
    });
    job.notebookTask('ok', { notebook: nb, environment_key: 'default' });
    job.notebookTask('env', { notebook: nb, environment_key: 'gpu' }); // @mark env-key
    job.notebookTask('cluster', { notebook: nb, job_cluster_key: 'main' }); // @mark cluster-key
    const diagnostics = validateModel(resolve(app).model, opts);
    const env = only(diagnostics, 'environment_key "gpu"');
    expect(env.message).toBe('Task "env" uses environment_key "gpu", which job "etl" does not define in environments (defined: default).');
    expect(env.path).toBe('resources.jobs.etl.tasks[1].environment_key');
    expect(env.location?.line).toBe(line('env-key'));
    const cluster = only(diagnostics, 'job_cluster_key "main"');
    expect(cluster.message).toContain('the job defines no job_clusters');
    expect(cluster.location?.line).toBe(line('cluster-key'));
  });

  it('requires exactly one task type per task', () => {
    const app = testBundle();
    const job = new Job(app, 'etl', { name: 'ETL' } as JobProps);
    job.sqlTask('two', { // @mark two-types
      sql_task: { warehouse_id: 'w', query: { query_id: 'q' } },
      ...({ notebook_task: { notebook_path: '/x' } } as object),
    });
    const { model } = resolve(app);
    model.resources.jobs['etl']!.settings.tasks.push({ task_key: 'none' });
    const diagnostics = validateModel(model, opts);
    const two = only(diagnostics, 'has 2 task types');
    expect(two.message).toBe('Task "two" of job "etl" has 2 task types (notebook_task, sql_task); a task has exactly one.');
    expect(two.location?.line).toBe(line('two-types'));
    const none = only(diagnostics, 'has no task type');
    expect(none.path).toBe('resources.jobs.etl.tasks[1]');
    expect(none.message).toContain('notebook_task');
  });

  it('finds nothing wrong with a well-formed job', () => {
    const app = testBundle();
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const job = new Job(app, 'etl', { name: 'ETL' });
    const a = job.notebookTask('a', { notebook: nb });
    const b = job.task('b', { condition_task: { op: 'GREATER_THAN', left: '{{job.parameters.rows}}', right: '0' }, depends_on: [a] });
    job.notebookTask('c', { notebook: nb, depends_on: [a, { task: b, outcome: 'true' }] });
    expect(validateModel(resolve(app).model, opts)).toEqual([]);
  });
});
