// The definitions API: identity, references as values, diagnostics with the user's line, escaping into YAML.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Bundle, Dashboard, Job, Notebook, Pipeline, resolve, SecretScope } from '../../src/index.ts';
import { UserError } from '../../src/errors/index.ts';
import { configFiles } from '../../src/synth/config.ts';
import { toYaml } from '../../src/synth/yaml.ts';

const THIS_FILE = fileURLToPath(import.meta.url);
/** The line of this file holding a marker comment, so tests never hard-code line numbers. */
function lineOf(marker: string): number {
  const lines = readFileSync(THIS_FILE, 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(`// @${marker}`));
  if (index < 0) throw new Error(`marker ${marker} not found`);
  return index + 1;
}

function bundle(): Bundle {
  return new Bundle({ name: 'b', variables: { catalog: { default: 'c' } }, targets: { dev: { default: true, mode: 'development' } } });
}

describe('constructs', () => {
  it('a duplicate id fails where it is declared, naming both places', () => {
    const app = bundle();
    new Notebook(app, 'nb', { source: 'x.py' }); // @first-nb
    let error: unknown;
    try {
      new Notebook(app, 'nb', { source: 'y.py' }); // @second-nb
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toContain('Duplicate id "nb"');
    expect(message).toContain(`${THIS_FILE}:${lineOf('second-nb')}`);
    expect(message).toContain(`${THIS_FILE}:${lineOf('first-nb')}`);
  });

  it('rejects ids that cannot be resource keys', () => {
    expect(() => new Notebook(bundle(), 'has space', { source: 'x.py' })).toThrow(/Invalid id "has space"/);
  });

  it('renders references as the strings Databricks expects', () => {
    const app = bundle();
    const scope = new SecretScope(app, 'scope', {});
    const p = new Pipeline(app, 'pipe', { catalog: app.var('catalog'), configuration: { key: scope.secret('k').toString() } });
    const d = new Dashboard(app, 'dash', { display_name: 'D', warehouse_id: 'w', datasets: [], widgets: [] });
    const nb = new Notebook(app, 'nb', { source: 'x.py', widgets: { catalog: app.var('catalog') } });
    const job = new Job(app, 'job', { name: 'J' });
    const a = job.pipelineTask('a', { pipeline: p });
    const b = job.notebookTask('b', { notebook: nb, depends_on: [a] });
    job.dashboardTask('c', { dashboard: d, depends_on: [{ task: b, outcome: 'true' }] });
    const { model, diagnostics } = resolve(app);
    expect(diagnostics).toEqual([]);
    const tasks = model.resources.jobs['job']!.settings.tasks;
    expect(tasks[0]!['pipeline_task']).toEqual({ pipeline_id: '${resources.pipelines.pipe.id}' });
    expect(tasks[1]!['notebook_task']).toEqual({ notebook_path: 'src/notebooks/nb.py', source: 'WORKSPACE', base_parameters: { catalog: '${var.catalog}' } });
    expect(tasks[1]!.depends_on).toEqual([{ task_key: 'a' }]);
    expect(tasks[2]!.depends_on).toEqual([{ task_key: 'b', outcome: 'true' }]);
    expect(tasks[2]!['dashboard_task']).toEqual({ dashboard_id: '${resources.dashboards.dash.id}', warehouse_id: 'w' });
    expect(model.resources.pipelines['pipe']!.settings['configuration']).toEqual({ key: '{{secrets/scope/k}}' });
    expect(model.resources.secret_scopes['scope']!.keys).toEqual(['k']);
  });

  it('a reference to something outside the bundle is a diagnostic with the line, not a crash', () => {
    const app = bundle();
    const other = bundle();
    const foreign = new Notebook(other, 'elsewhere', { source: 'x.py' });
    const job = new Job(app, 'job', { name: 'J' });
    job.notebookTask('t', { notebook: foreign }); // @foreign-ref
    const otherJob = new Job(app, 'job2', { name: 'J2' });
    const t2 = otherJob.notebookTask('t2', { notebook: new Notebook(app, 'nb', { source: 'x.py' }) });
    job.notebookTask('u', { notebook: new Notebook(app, 'nb2', { source: 'x.py' }), depends_on: [t2] }); // @cross-job
    const { diagnostics } = resolve(app);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: expect.stringContaining('refers to notebook "elsewhere", which is not part of this bundle'),
        path: 'resources.jobs.job.tasks[0]',
        location: expect.objectContaining({ file: THIS_FILE, line: lineOf('foreign-ref') }),
      }),
      expect.objectContaining({
        message: expect.stringContaining('depends on "t2" of job "job2"'),
        location: expect.objectContaining({ line: lineOf('cross-job') }),
      }),
    ]);
  });

  it('an undeclared variable is reported at the line that used it', () => {
    const app = bundle();
    new Pipeline(app, 'p', { catalog: app.var('nope') }); // @undeclared
    const { diagnostics } = resolve(app);
    expect(diagnostics).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Variable "nope"'), location: expect.objectContaining({ line: lineOf('undeclared') }) }),
    ]);
  });

  it('selects the default target and rejects unknown ones', () => {
    expect(resolve(bundle()).model.target.name).toBe('dev');
    expect(() => resolve(bundle(), 'prod')).toThrow(/Unknown target "prod"/);
  });

  it('hostile names and values survive the trip through YAML exactly', () => {
    const hostile = `it's "quoted" '''triple''' back\\slash\nnew line {{ mustache }} # not a comment -- nor this Ünïcödé ${'$'}{not.a.var}`;
    const app = bundle();
    const job = new Job(app, 'job', { name: hostile, description: hostile, tags: { [hostile.slice(0, 20)]: hostile } });
    job.notebookTask('t', { notebook: new Notebook(app, 'nb', { source: 'x.py' }), base_parameters: { [hostile]: hostile } });
    const files = configFiles(resolve(app).model);
    const jobFile = files.find((f) => f.path === 'resources/job.job.yml')!;
    expect(parse(toYaml(jobFile.doc))).toEqual(jobFile.doc);
    const parsed = parse(toYaml(jobFile.doc)) as { resources: { jobs: { job: { name: string; tasks: { notebook_task: { base_parameters: Record<string, string> } }[] } } } };
    expect(parsed.resources.jobs.job.name).toBe(hostile);
    expect(parsed.resources.jobs.job.tasks[0]!.notebook_task.base_parameters[hostile]).toBe(hostile);
  });
});
