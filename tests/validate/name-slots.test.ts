// The names issue 11 found passing validate and breaking later: each is now refused at the line that defines it.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Bundle, Dashboard, Job, Notebook, Pipeline, resolve } from '../../src/index.ts';
import { validateResolved } from '../../src/validate/index.ts';
import { FIXTURE_REPO, markedLine, only } from './helpers.ts';

const FILE = fileURLToPath(import.meta.url);
const line = (mark: string) => markedLine(import.meta.url, mark);

function diagnosticsOf(app: Bundle) {
  return validateResolved(resolve(app, 'dev'), { repoRoot: FIXTURE_REPO });
}

const bundle = (name = 'names_test') => new Bundle({ name, targets: { dev: { mode: 'development', default: true } } });

describe('names refused where they are defined', () => {
  it('a NUL byte in a value placed in a notebook', () => {
    const app = bundle();
    new Notebook(app, 'nb', { source: 'notebooks/ok.py', widgets: { catalog: 'a\u0000b' } }); // @mark nul
    const d = only(diagnosticsOf(app), 'widget "catalog"');
    expect(d.message).toContain('contains a NUL character');
    expect(d.location).toMatchObject({ file: FILE, line: line('nul') });
  });

  it('a pipeline name with a newline, and ${ in pipeline SQL texts', () => {
    const app = bundle();
    new Pipeline(app, 'p', { // @mark pipeline
      name: 'two\nlines',
      tables: [
        {
          name: 'silver.t',
          layer: 'silver',
          kind: 'materialized_view',
          query: 'SELECT 1 AS id',
          comment: 'price in ${currency}',
          columns: [{ name: 'id', type: 'INT', comment: 'see ${spark.conf}' }],
          expectations: [{ name: 'ok_${x}', condition: 'id > 0', action: 'warn' }],
        },
      ],
    });
    const all = diagnosticsOf(app);
    expect(only(all, 'Pipeline name').message).toBe('Pipeline name "two\\nlines" contains a line break.');
    expect(only(all, 'The comment of table').message).toContain('contains "${", which Databricks replaces with a configuration value');
    expect(only(all, 'The comment of column "id"').message).toContain('contains "${"');
    expect(only(all, 'Expectation name "ok_${x}"').message).toContain('must contain only letters, digits and "_"');
    for (const d of all) expect(d.location).toMatchObject({ file: FILE, line: line('pipeline') });
  });

  it('a bundle or a dashboard named ..', () => {
    const app = new Bundle({ name: '..', targets: { dev: { mode: 'development', default: true } } }); // @mark bundle
    new Dashboard(app, 'dash', { display_name: '..', warehouse_id: 'w', datasets: [], widgets: [] }); // @mark dashboard
    const all = diagnosticsOf(app);
    const named = only(all, 'Bundle name');
    expect(named.message).toBe('Bundle name ".." is "." or "..", which a path cannot name.');
    expect(named.location).toMatchObject({ file: FILE, line: line('bundle') });
    const dashboard = only(all, 'Dashboard name');
    expect(dashboard.message).toBe('Dashboard name ".." is "." or "..", which a path cannot name.');
    expect(dashboard.location).toMatchObject({ file: FILE, line: line('dashboard') });
  });

  it('an empty job parameter name', () => {
    const app = bundle();
    new Job(app, 'j', { name: 'J', parameters: [{ name: '', default: 'x' }] }); // @mark parameter
    const d = only(diagnosticsOf(app), 'Parameter name of job "j"');
    expect(d.message).toBe('Parameter name of job "j" "" is empty.');
    expect(d.location).toMatchObject({ file: FILE, line: line('parameter') });
  });

  it('a 300-character resource id', () => {
    const app = bundle();
    const id = `j${'x'.repeat(299)}`;
    new Job(app, id, { name: 'J' }); // @mark long-id
    const d = only(diagnosticsOf(app), 'The key of jobs');
    expect(d.message).toMatch(/is 300 bytes long; as a file name \(with "\.job\.yml"\) it may have at most 247\.$/);
    expect(d.location).toMatchObject({ file: FILE, line: line('long-id') });
  });

  it('a job name with a bundle reference the CLI cannot resolve', () => {
    const app = bundle();
    new Job(app, 'j', { name: 'Daily ${spark.env}' }); // @mark job-name
    const d = only(diagnosticsOf(app), 'Job name');
    expect(d.message).toContain('which the Databricks CLI would substitute as a bundle reference');
    expect(d.location).toMatchObject({ file: FILE, line: line('job-name') });
  });
});
