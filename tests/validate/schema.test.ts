import { describe, expect, it } from 'vitest';
import type { NotebookTaskProps, SqlTaskProps } from '../../src/constructs/job.ts';
import { Job, Notebook, Pipeline, type PipelineProps } from '../../src/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { validateModel } from '../../src/validate/index.ts';
import { FIXTURE_REPO, markedLine, only, testBundle } from './helpers.ts';

const line = (name: string): number => markedLine(import.meta.url, name);
const opts = { repoRoot: FIXTURE_REPO };

describe('schema check of the emitted configuration', () => {
  it('reports misspelled fields with the config path, a suggestion and the declaring line', () => {
    const app = testBundle();
    new Pipeline(app, 'ingest', { serverless: true, continous: false } as PipelineProps); // @mark pipeline-typo
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const job = new Job(app, 'etl', { name: 'ETL' });
    job.notebookTask('load', { notebook: nb });
    job.notebookTask('retrying', { notebook: nb, retry_on_timout: true } as NotebookTaskProps); // @mark task-typo
    const diagnostics = validateModel(resolve(app).model, opts);

    const pipeline = only(diagnostics, '`continous`');
    expect(pipeline).toEqual({
      severity: 'error',
      message: 'unknown field `continous` in resources.pipelines.ingest (did you mean `continuous`?)',
      path: 'resources.pipelines.ingest.continous',
      location: expect.objectContaining({ line: line('pipeline-typo') }),
    });
    const task = only(diagnostics, '`retry_on_timout`');
    expect(task.message).toBe('unknown field `retry_on_timout` in resources.jobs.etl.tasks[1] (did you mean `retry_on_timeout`?)');
    expect(task.path).toBe('resources.jobs.etl.tasks[1].retry_on_timout');
    expect(task.location?.line).toBe(line('task-typo'));
  });

  it('folds "missing required field" into the misspelling that caused it', () => {
    const app = testBundle();
    const job = new Job(app, 'etl', { name: 'ETL' });
    job.sqlTask('query', { sql_task: { warehouse_idd: 'abc', query: { query_id: 'q' } } } as unknown as SqlTaskProps); // @mark sql-typo
    const diagnostics = validateModel(resolve(app).model, opts);
    expect(diagnostics).toEqual([
      {
        severity: 'error',
        message: 'unknown field `warehouse_idd` in resources.jobs.etl.tasks[0].sql_task (did you mean `warehouse_id`?)',
        path: 'resources.jobs.etl.tasks[0].sql_task.warehouse_idd',
        location: expect.objectContaining({ line: line('sql-typo') }),
      },
    ]);
  });

  it('lists the allowed values of an enum and names the expected type', () => {
    const app = testBundle();
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const job = new Job(app, 'etl', { name: 'ETL' });
    job.notebookTask('load', { notebook: nb, run_if: 'SOMETIMES', max_retries: 'two' } as unknown as NotebookTaskProps); // @mark enum
    const diagnostics = validateModel(resolve(app).model, opts);
    const runIf = only(diagnostics, '`run_if`');
    expect(runIf.message).toBe(
      '`run_if` in resources.jobs.etl.tasks[0] must be one of "ALL_SUCCESS", "ALL_DONE", "NONE_FAILED", "AT_LEAST_ONE_SUCCESS", "ALL_FAILED", "AT_LEAST_ONE_FAILED"',
    );
    expect(runIf.location?.line).toBe(line('enum'));
    expect(only(diagnostics, '`max_retries`').message).toBe('`max_retries` in resources.jobs.etl.tasks[0] must be integer (or a ${...} reference)');
  });

  it('accepts ${...} references wherever the schema allows them', () => {
    const app = testBundle({ retries: { default: '2' }, warehouse: { default: 'w' } });
    const nb = new Notebook(app, 'nb', { source: 'notebooks/ok.py' });
    const pipeline = new Pipeline(app, 'ingest', { serverless: true, catalog: app.var('warehouse') });
    const job = new Job(app, 'etl', { name: 'ETL', max_concurrent_runs: app.var('retries') as unknown as number });
    job.pipelineTask('refresh', { pipeline });
    job.notebookTask('load', { notebook: nb, max_retries: app.var('retries') as unknown as number });
    job.sqlTask('query', { sql_task: { warehouse_id: app.var('warehouse'), query: { query_id: 'q' } } });
    expect(validateModel(resolve(app).model, opts)).toEqual([]);
  });
});
