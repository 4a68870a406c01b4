// One bundle with many mistakes: every one is reported, together, sorted by file and line.
import { beforeAll, describe, expect, it } from 'vitest';
import { Bundle, Job, Notebook, Pipeline, SecretScope, TaskHandle, type PipelineProps } from '../../src/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Diagnostic } from '../../src/validate/diagnostic.ts';
import { errorCount, sortDiagnostics, validateProject } from '../../src/validate/index.ts';
import { FIXTURE_REPO, markedLine, only } from './helpers.ts';

const line = (name: string): number => markedLine(import.meta.url, name);

function brokenBundle(): Bundle {
  const app = new Bundle({ name: 'broken', variables: { catalog: { default: 'main' } }, targets: { dev: { default: true } } });
  const foreignScope = new SecretScope(new Bundle({ name: 'elsewhere', targets: { dev: {} } }), 'foreign');
  const pipeline = new Pipeline(app, 'ingest', { serverless: true, continous: false } as PipelineProps); // @mark typo
  pipeline.table({ name: 'bronze.raw sales', layer: 'bronze', kind: 'streaming_table', source: { type: 'files', path: '/Volumes/x', format: 'parquet' } }); // @mark table-name
  pipeline.table({ // @mark spark-sql
    name: 'gold.daily',
    layer: 'gold',
    kind: 'materialized_view',
    query: "SELECT date_format(ts, 'yyyy-MM-dd') AS day FROM ${catalog}.bronze.sales",
  });
  const nb = new Notebook(app, 'summary', { source: 'missing.py.hbs', secrets: { key: foreignScope.secret('k') } }); // @mark notebook
  const other = new Job(app, 'other', { name: 'Other' });
  const foreign = other.notebookTask('foreign', { notebook: nb });
  const job = new Job(app, 'etl', { name: 'ETL', description: 'owned by ${var.team}' }); // @mark undeclared-var
  job.notebookTask('a', { notebook: nb, depends_on: [new TaskHandle(job, 'b')] }); // @mark cycle
  job.notebookTask('b', { notebook: nb, depends_on: [new TaskHandle(job, 'a')] });
  job.notebookTask('needs foreign', { notebook: nb, depends_on: [foreign] }); // @mark bad-key
  job.notebookTask('a', { notebook: nb }); // @mark duplicate
  return app;
}

describe('validate reports every diagnostic at once', () => {
  let diagnostics: Diagnostic[];
  beforeAll(async () => {
    diagnostics = await validateProject(resolve(brokenBundle()), { repoRoot: FIXTURE_REPO });
  });

  it('finds each mistake at the line that made it', () => {
    const expected: [string, string][] = [
      ['typo', 'unknown field `continous` in resources.pipelines.ingest'],
      ['table-name', 'Table name "bronze.raw sales"'],
      ['spark-sql', '`date_format(` runs on Databricks but not on DuckDB'],
      ['spark-sql', 'reads bronze.sales, which no pipeline or notebook of the bundle builds'],
      ['notebook', 'source file missing.py.hbs does not exist'],
      ['notebook', 'from scope "foreign", which the bundle does not declare'],
      ['undeclared-var', 'Variable "team"'],
      ['cycle', 'cycle: a → b → a'],
      ['cycle', 'Duplicate task key "a" in job "etl": also tasks[3]'],
      ['bad-key', 'Task key "needs foreign" in job "etl" may contain only'],
      ['bad-key', 'depends on "foreign" of job "other"'],
      ['duplicate', 'Duplicate task key "a" in job "etl": also tasks[0]'],
    ];
    for (const [marker, text] of expected) expect(only(diagnostics, text).location?.line, text).toBe(line(marker));
    expect(only(diagnostics, 'date_format').severity).toBe('warning');
    expect(errorCount(diagnostics)).toBe(expected.length - 1);
    expect(diagnostics).toHaveLength(expected.length);
  });

  it('returns them sorted by file, line and path', () => {
    expect(diagnostics).toEqual(sortDiagnostics(diagnostics));
    const lines = diagnostics.filter((d) => d.location?.file === diagnostics.at(-1)!.location?.file).map((d) => d.location!.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });
});
