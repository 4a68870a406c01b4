// The extension points, used by a bundle that is not the demo: a simulator (simulate, and a first run with an
// empty landing zone), result views (after a run, and by name), and a local implementation of a notebook that
// reads widgets, job parameters and a secret and writes through the local database.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Bundle, Notebook, ResultView, Simulator } from '../../src/index.ts';
import { UserError } from '../../src/errors/index.ts';
import type { SimulatorContext } from '../../src/extensions/types.ts';
import { resolve } from '../../src/model/resolve.ts';
import { runSimulator } from '../../src/run/simulator.ts';
import { REPO_ROOT, runCli, tempDir } from '../build/helpers.ts';

const BUNDLE = `import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Bundle, Job, Notebook, ResultView, SecretScope, Simulator } from ${JSON.stringify(join(REPO_ROOT, 'src/index.ts'))};

const app = new Bundle({
  name: 'events',
  variables: { catalog: { default: 'events_cat' } },
  targets: { local: { default: true, local: true }, dev: { mode: 'development' } },
});
const catalog = app.var('catalog');
const scope = new SecretScope(app, 'events_scope', {});

new Simulator(app, 'clicks', {
  description: 'click events as JSON',
  landing: '/Volumes/\${catalog}/landing/raw',
  options: {
    count: { type: 'integer', min: 1, default: 3, description: 'events to write' },
    kind: { type: 'string', default: 'click', description: 'event kind' },
  },
  first_run: { count: 2 },
  run: async (ctx) => {
    const dir = join(ctx.dir, 'events');
    await mkdir(dir, { recursive: true });
    const n = (await readdir(dir)).length;
    for (let i = 0; i < Number(ctx.options.count); i++) {
      const rel = 'events/e-' + String(n + i).padStart(4, '0') + '.json';
      await writeFile(join(ctx.dir, rel), JSON.stringify({ id: n + i, kind: ctx.options.kind }) + '\\n');
      await ctx.fileWritten(rel);
    }
    return 'wrote ' + String(ctx.options.count) + ' events to ' + ctx.volume;
  },
});

new ResultView(app, 'counts', {
  description: 'events per kind',
  show: async (ctx) => {
    await ctx.preview('SELECT kind, count(*) AS n FROM ' + ctx.catalog + '.bronze.events GROUP BY kind ORDER BY kind LIMIT ' + (ctx.limit ?? 5), 'Events per kind (' + ctx.trigger + '):');
  },
});
new ResultView(app, 'quiet', {
  description: 'only on demand',
  after_run: false,
  show: async (ctx) => ctx.sink({ code: 'log', level: 'info', message: 'quiet view shown', data: {} }),
});

const ingest = new Notebook(app, 'ingest', {
  source: 'ingest.py',
  widgets: { catalog },
  tables: [{ name: 'bronze.events', layer: 'bronze', kind: 'streaming_table', source: { type: 'files', path: '/Volumes/\${catalog}/landing/raw/events', format: 'json' } }],
});
const report = new Notebook(app, 'report', {
  source: 'report.py',
  widgets: { catalog, greeting: 'hello' },
  secrets: { token: scope.secret('token') },
  local: async (ctx) => {
    const sql = await ctx.openSql();
    try {
      const token = ctx.secret('token') ? 'with token' : 'without token';
      for await (const _ of sql.query('CREATE SCHEMA IF NOT EXISTS gold')) void _;
      for await (const _ of sql.query('CREATE OR REPLACE TABLE ' + ctx.catalog + '.gold.report AS SELECT :greeting AS greeting, :token AS token, count(*) AS events FROM ' + ctx.catalog + '.bronze.events', { greeting: ctx.widgets['greeting'], token })) void _;
    } finally {
      await sql.close();
    }
    return 'report written (' + ctx.task_key + ')';
  },
});

const job = new Job(app, 'events-job', { name: 'Events', parameters: [{ name: 'greeting', default: 'hello' }] });
const first = job.notebookTask('ingest', { notebook: ingest });
job.notebookTask('report', { notebook: report, depends_on: [first] });
export default app;
`;

describe('extension points, in a bundle of its own', () => {
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env });
  const events = () => join(env['DBX_TS_LOCAL_DIR']!, 'volumes', 'events_cat', 'landing', 'raw', 'events');

  beforeAll(async () => {
    dir = await tempDir('ext');
    await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
    await writeFile(join(dir, 'bundle.ts'), BUNDLE);
    await writeFile(join(dir, 'ingest.py'), '# Databricks notebook source\nprint("ingest")\n');
    await writeFile(join(dir, 'report.py'), '# Databricks notebook source\nprint("report")\n');
    env = { DBX_TS_LOCAL_DIR: join(dir, '.dbx-ts', 'local'), DBX_TS_SECRET_EVENTS_SCOPE__TOKEN: 'tok-123' };
  });

  it('a first run with an empty landing zone simulates with first_run options, runs the local implementation, shows the views due after a run', async () => {
    const run = await cli('run', 'events-job');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Landing zone is empty: simulating data into ${join(env['DBX_TS_LOCAL_DIR']!, 'volumes', 'events_cat', 'landing', 'raw')}`);
    expect(run.stdout).toContain('wrote 2 events to /Volumes/events_cat/landing/raw');
    expect(run.stdout).toMatch(/task report: TERMINATED SUCCESS.*report written \(report\)/);
    expect(run.stdout).toContain('Events per kind (run):');
    expect(run.stdout).toMatch(/^click\s+2\s*$/m);
    expect(run.stdout).not.toContain('quiet view shown');
    const report = await cli('query', 'SELECT greeting, token, events FROM events_cat.gold.report', '-o', 'csv');
    expect(report.stdout.replaceAll('\r\n', '\n')).toBe('greeting,token,events\nhello,with token,2\n');
    expect(run.stdout + report.stdout).not.toContain('tok-123');
  });

  it('simulate runs the simulator with its own options, checked as it declares them', async () => {
    const ok = await cli('simulate', '--count', '4', '--kind=view');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('wrote 4 events to /Volumes/events_cat/landing/raw');
    expect((await readdir(events())).length).toBe(6);
    const low = await cli('simulate', '--count', '0');
    expect(low.code).toBe(2);
    expect(low.stderr).toContain('--count must be a whole number >= 1, got "0".');
    const unknown = await cli('simulate', '--rows', '5');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--rows'");
    expect(unknown.stderr).toContain('--count <integer>  events to write (default 3)');
  });

  it('a second run reads the new files; --param reaches the local implementation; views show by name', async () => {
    const run = await cli('run', 'events-job', '--param', 'greeting=hi');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('simulating');
    const report = await cli('query', 'SELECT greeting, events FROM events_cat.gold.report', '-o', 'csv');
    expect(report.stdout.replaceAll('\r\n', '\n')).toBe('greeting,events\nhi,6\n');
    const counts = await cli('show', 'counts', '--limit', '1');
    expect(counts.code).toBe(0);
    expect(counts.stdout).toContain('Events per kind (show):');
    expect(counts.stdout).toMatch(/^click\s+2\s*$/m);
    expect(counts.stdout).not.toMatch(/^view\s/m);
    const quiet = await cli('show', 'quiet');
    expect(quiet.stdout).toContain('quiet view shown');
    const table = await cli('show', 'bronze.events');
    expect(table.stdout).toMatch(/^id\s+kind\s+_rescued_data\s+_source_file\s+_ingested_at\s*$/m);
  });
});

describe('extension points in resolve', () => {
  it('keeps functions beside the model: the model stays plain data', () => {
    const app = new Bundle({ name: 'x', targets: { local: { local: true } } });
    new Notebook(app, 'nb', { source: 'nb.py', local: async () => 'done' });
    new ResultView(app, 'v', { description: 'v', show: async () => {} });
    new Simulator(app, 's', { description: 's', landing: '/Volumes/c/s/v', run: async () => {} });
    const { model, extensions, diagnostics } = resolve(app);
    expect(diagnostics).toEqual([]);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    expect(Object.keys(extensions.localNotebooks)).toEqual(['nb']);
    expect(extensions.resultViews.map((v) => v.name)).toEqual(['v']);
    expect(extensions.simulator?.key).toBe('s');
  });

  it('reports a second simulator and a view named like a built-in show word, at their lines', () => {
    const app = new Bundle({ name: 'x', targets: { local: { local: true } } });
    new Simulator(app, 'a', { description: 'a', landing: '/Volumes/c/s/v', run: async () => {} });
    new Simulator(app, 'b', { description: 'b', landing: '/Volumes/c/s/v', run: async () => {} }); // second
    new ResultView(app, 'quality', { description: 'q', show: async () => {} });
    const { diagnostics } = resolve(app);
    expect(diagnostics.map((d) => d.message)).toEqual([
      'Simulator "b": a bundle has one simulator, and "a" is already declared.',
      'Result view "quality": the name is taken by `dbx-ts show quality`; choose another.',
    ]);
    expect(diagnostics.every((d) => d.location?.file.endsWith('extension-points.test.ts'))).toBe(true);
  });
});

describe('a simulator that throws', () => {
  it("is reported as the bundle's failure, naming it and where it threw, not as a dbx-ts bug", async () => {
    const app = new Bundle({ name: 'x', targets: { local: { local: true } } });
    new Simulator(app, 'broken', {
      description: 'throws',
      landing: '/Volumes/c/s/v',
      run: async () => {
        throw new TypeError('cannot read rows of undefined');
      },
    });
    const simulator = resolve(app).extensions.simulator!;
    const error = await runSimulator(simulator, {} as SimulatorContext).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('The bundle\'s simulator "broken" failed: cannot read rows of undefined');
    expect((error as UserError).hint).toMatch(/extension-points\.test\.ts:\d+/);
  });
});
